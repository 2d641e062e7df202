package dev.rofsguard.discover;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * What an image ships: every path of its filesystem with its kind, read from the tar stream of {@code podman export}
 * / {@code docker export} (which needs no shell in the image). Only names and kinds are kept.
 */
public final class ImageFiles {

    public enum Kind { DIRECTORY, FILE, LINK }

    private final NavigableMap<String, Kind> paths;

    public ImageFiles(Map<String, Kind> paths) {
        this.paths = new TreeMap<>(paths);
    }

    public boolean isDirectory(String path) {
        return paths.get(path) == Kind.DIRECTORY;
    }

    public boolean contains(String path) {
        return paths.containsKey(path);
    }

    /** Up to {@code limit} files or links strictly below a directory: what a mount there would hide. */
    public List<String> shippedBelow(String dir, int limit) {
        List<String> found = new ArrayList<>();
        String prefix = dir.equals("/") ? "/" : dir + "/";
        for (Map.Entry<String, Kind> e : paths.tailMap(prefix, true).entrySet()) {
            if (!e.getKey().startsWith(prefix) || found.size() >= limit) {
                break;
            }
            if (e.getValue() != Kind.DIRECTORY) {
                found.add(e.getKey());
            }
        }
        return found;
    }

    public int size() {
        return paths.size();
    }

    /**
     * Reads a tar stream: POSIX ustar headers, with the PAX ({@code x}) and GNU ({@code L}) long-name extensions
     * that Go's archive/tar and GNU tar write.
     */
    public static ImageFiles fromTar(InputStream in) throws IOException {
        Map<String, Kind> paths = new TreeMap<>();
        byte[] header = new byte[512];
        String longName = null;
        while (readFully(in, header)) {
            if (isZero(header)) {
                break;
            }
            long size = octal(header, 124, 12);
            char type = (char) header[156];
            if (type == 'x' || type == 'L') {
                byte[] data = in.readNBytes((int) size);
                skip(in, pad(size));
                longName = type == 'L' ? cString(data, 0, data.length) : paxPath(data);
                continue;
            }
            if (type == 'g') {
                skip(in, size + pad(size));
                continue;
            }
            String name = longName;
            longName = null;
            if (name == null) {
                name = cString(header, 0, 100);
                String prefix = cString(header, 345, 155);
                if (!prefix.isEmpty() && "ustar".equals(cString(header, 257, 5))) {
                    name = prefix + "/" + name;
                }
            }
            skip(in, size + pad(size));
            String path = normalise(name);
            if (path != null) {
                paths.put(path, type == '5' ? Kind.DIRECTORY : type == '2' ? Kind.LINK : Kind.FILE);
            }
        }
        return new ImageFiles(paths);
    }

    private static String normalise(String name) {
        String n = name.startsWith("./") ? name.substring(1) : name.startsWith("/") ? name : "/" + name;
        while (n.length() > 1 && n.endsWith("/")) {
            n = n.substring(0, n.length() - 1);
        }
        return n.equals("/") || n.equals("/.") || n.isEmpty() ? null : n;
    }

    private static String paxPath(byte[] data) {
        // records: "<len> <key>=<value>\n"
        String s = new String(data, StandardCharsets.UTF_8);
        int i = 0;
        while (i < s.length()) {
            int space = s.indexOf(' ', i);
            if (space < 0) {
                break;
            }
            int len = Integer.parseInt(s.substring(i, space));
            String record = s.substring(space + 1, Math.min(s.length(), i + len - 1));
            if (record.startsWith("path=")) {
                return record.substring(5);
            }
            i += len;
        }
        return null;
    }

    private static long pad(long size) {
        return (512 - size % 512) % 512;
    }

    private static long octal(byte[] b, int off, int len) {
        if ((b[off] & 0x80) != 0) { // base-256 for sizes past 8 GiB
            long v = 0;
            for (int i = off + 1; i < off + len; i++) {
                v = (v << 8) | (b[i] & 0xff);
            }
            return v;
        }
        String s = cString(b, off, len).trim();
        return s.isEmpty() ? 0 : Long.parseLong(s, 8);
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean readFully(InputStream in, byte[] b) throws IOException {
        int n = in.readNBytes(b, 0, b.length);
        return n == b.length;
    }

    private static void skip(InputStream in, long n) throws IOException {
        in.skipNBytes(n);
    }
}

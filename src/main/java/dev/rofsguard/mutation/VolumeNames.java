package dev.rofsguard.mutation;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Names for the volumes the mutation adds: deterministic (same pod, same names), valid DNS-1123 labels of at most
 * 63 characters, readable where they fit ({@code rofs-nginx-var-cache-nginx}), and never equal to a taken name.
 */
public final class VolumeNames {

    public static final int MAX = 63;
    public static final Pattern DNS_1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final String PREFIX = "rofs-";
    private static final Pattern NOT_ALNUM = Pattern.compile("[^a-z0-9]+");

    private VolumeNames() {
    }

    public static String forPath(String container, String path, Set<String> taken) {
        String readable = PREFIX + slug(container) + "-" + (path.equals("/") ? "root" : slug(path));
        if (readable.length() <= MAX && !taken.contains(readable)) {
            return readable;
        }
        // Too long or taken: a hash of what the volume is for keeps the name deterministic and distinct.
        String hash = hash(container + "\u0000" + path);
        String name = withHash(readable, hash);
        for (int i = 2; taken.contains(name); i++) {
            name = withHash(readable, hash + i);
        }
        return name;
    }

    private static String withHash(String readable, String suffix) {
        int room = MAX - suffix.length() - 1;
        String head = readable.length() > room ? readable.substring(0, room) : readable;
        head = trimDashes(head);
        return head + "-" + suffix;
    }

    static String slug(String s) {
        String lower = NOT_ALNUM.matcher(s.toLowerCase(Locale.ROOT)).replaceAll("-");
        String trimmed = trimDashes(lower);
        return trimmed.isEmpty() ? "x" : trimmed;
    }

    private static String trimDashes(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && s.charAt(start) == '-') {
            start++;
        }
        while (end > start && s.charAt(end - 1) == '-') {
            end--;
        }
        return s.substring(start, end);
    }

    private static String hash(String s) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}

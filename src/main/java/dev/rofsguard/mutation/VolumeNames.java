package dev.rofsguard.mutation;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Names for the volumes one plan adds: deterministic (same pod, same names), valid DNS-1123 labels of at most 63
 * characters, readable where they fit ({@code rofs-nginx-var-cache-nginx}), and never equal to a taken name.
 * One instance per plan: it remembers the names it gave and where each collision count stopped, so that a pod
 * with thousands of same-named containers costs linear time, not quadratic.
 */
public final class VolumeNames {

    public static final int MAX = 63;
    private static final String PREFIX = "rofs-";

    private final Set<String> taken;
    private final Map<String, Integer> nextSuffix = new HashMap<>();

    /** @param taken the pod's volume names; names given are added to it */
    public VolumeNames(Set<String> taken) {
        this.taken = taken;
    }

    public String forPath(String container, String path) {
        String readable = PREFIX + slug(container) + "-" + (path.equals("/") ? "root" : slug(path));
        if (readable.length() <= MAX && taken.add(readable)) {
            return readable;
        }
        // Too long or taken: a hash of what the volume is for keeps the name deterministic and distinct.
        String hash = hash(container + "\u0000" + path);
        String name = withHash(readable, hash);
        int i = nextSuffix.getOrDefault(name, 2);
        String base = name;
        while (!taken.add(name)) {
            name = withHash(readable, hash + i++);
        }
        nextSuffix.put(base, i);
        return name;
    }

    /** A container name for {@code prefix + container}, unique among the pod's containers (same scheme). */
    public String containerName(String prefix, String container) {
        String readable = prefix + slug(container);
        if (readable.length() <= MAX && taken.add(readable)) {
            return readable;
        }
        String hash = hash(prefix + "\u0000" + container);
        String name = withHash(readable, hash);
        for (int i = 2; !taken.add(name); i++) {
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

    /** Lower case, each run of characters other than {@code [a-z0-9]} one dash, no dash at either end; never empty. */
    public static String slug(String s) {
        String lower = s.toLowerCase(Locale.ROOT);
        StringBuilder slug = new StringBuilder(lower.length());
        boolean inRun = false;
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            boolean alnum = c >= 'a' && c <= 'z' || c >= '0' && c <= '9';
            if (alnum) {
                slug.append(c);
            } else if (!inRun) {
                slug.append('-');
            }
            inRun = !alnum;
        }
        String trimmed = trimDashes(slug.toString());
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

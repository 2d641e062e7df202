package dev.rofsguard.catalog;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Paths inside an image as the catalog and the planner compare them: normalised ({@code //tmp}, {@code /tmp/.},
 * {@code ..}, a trailing {@code /}) and with the image's symbolic links resolved ({@code /var/run} is {@code /run}),
 * so that one directory has one name.
 */
public final class ImagePaths {

    private ImagePaths() {
    }

    /** Normalised, with these symbolic links (link → target, both clean absolute paths other than /) resolved. */
    public static String canonical(String path, Map<String, String> symlinks) {
        String p = normalise(path);
        for (int hops = 0; hops < 8; hops++) {
            String resolved = null;
            for (Map.Entry<String, String> link : symlinks.entrySet()) {
                String from = link.getKey();
                if (atOrBelow(p, from)) {
                    // Links are clean and not / (the catalog's validator), so the target and the clean rest of a
                    // clean path join into a clean path: no second normalise.
                    resolved = link.getValue().concat(p.substring(from.length()));
                    break;
                }
            }
            if (resolved == null || resolved.equals(p)) {
                return p;
            }
            p = resolved;
        }
        return p;
    }

    /**
     * The canonical form of each of these paths, worked out once: a catalog match is remembered per image, and
     * its paths are compared on every admission.
     */
    static Map<String, String> canonicalAll(Iterable<String> paths, Map<String, String> symlinks) {
        Map<String, String> canonical = new HashMap<>();
        for (String p : paths) {
            if (p != null) {
                canonical.put(p, canonical(p, symlinks));
            }
        }
        return Map.copyOf(canonical);
    }

    /** {@code path} is {@code base} or a path under it (both canonical); compared in place, on every admission. */
    public static boolean atOrBelow(String path, String base) {
        if (base.equals("/")) {
            return path.startsWith("/");
        }
        return path.startsWith(base) && (path.length() == base.length() || path.charAt(base.length()) == '/');
    }

    /** Absolute and clean: no {@code //}, {@code .} or {@code ..} component, no trailing slash (except {@code /}). */
    public static String normalise(String path) {
        if (isNormal(path)) {
            return path; // the usual case, without splitting
        }
        Deque<String> parts = new ArrayDeque<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(part);
            }
        }
        return "/" + String.join("/", parts);
    }

    private static boolean isNormal(String path) {
        int n = path.length();
        if (n == 0 || path.charAt(0) != '/') {
            return false;
        }
        if (n == 1) {
            return true;
        }
        if (path.charAt(n - 1) == '/') {
            return false;
        }
        // From one slash to the next (indexOf is the JIT's vectorised search): no empty, "." or ".." component.
        for (int i = 0; i >= 0; ) {
            int end = path.indexOf('/', i + 1);
            int len = (end < 0 ? n : end) - i - 1;
            if (len == 0 || len == 1 && path.charAt(i + 1) == '.' || len == 2 && path.charAt(i + 1) == '.' && path.charAt(i + 2) == '.') {
                return false;
            }
            i = end;
        }
        return true;
    }
}

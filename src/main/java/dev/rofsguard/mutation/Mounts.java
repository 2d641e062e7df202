package dev.rofsguard.mutation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rofsguard.podspec.ContainerView;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One directory, one mount: what a container already has mounted, with paths normalised ({@code //tmp},
 * {@code /tmp/.}) and the image's symbolic links resolved ({@code /var/run} is {@code /run}), so that the plan never
 * mounts a directory twice. A writable mount at, above or below a path covers it (emptyDir, PVC, ephemeral,
 * hostPath and other volumes that are not read-only); configMap, secret, projected, downwardAPI and image volumes,
 * {@code readOnly: true} mounts and subPath mounts do not. A data path needs a mount at or above it.
 */
public final class Mounts {

    /** Volume sources that are never writable, whatever the mount says. */
    private static final Set<String> READ_ONLY_SOURCES = Set.of("configMap", "secret", "projected", "downwardAPI", "image");

    private record Mount(String path, boolean writable) {
    }

    private final Map<String, String> symlinks;
    private final List<Mount> mounts = new ArrayList<>();

    private Mounts(Map<String, String> symlinks) {
        this.symlinks = symlinks;
    }

    /** The mounts of one container; {@code volumes} are the pod's volumes by name. */
    static Mounts of(ContainerView c, Map<String, JsonNode> volumes, Map<String, String> symlinks) {
        Mounts m = new Mounts(symlinks);
        for (JsonNode mount : c.node().path("volumeMounts")) {
            String path = mount.path("mountPath").asText("");
            JsonNode volume = volumes.get(mount.path("name").asText(""));
            // A name the pod spec does not declare is a StatefulSet's volumeClaimTemplate (a Pod with a dangling
            // mount is refused by the API server): a claim, writable.
            boolean writable = !mount.path("readOnly").asBoolean(false) && !mount.hasNonNull("subPath")
                    && !mount.hasNonNull("subPathExpr") && (volume == null || writableSource(volume));
            m.mounts.add(new Mount(m.canonical(path), writable));
        }
        return m;
    }

    /** The pod's volumes by name. */
    static Map<String, JsonNode> volumes(JsonNode spec) {
        Map<String, JsonNode> byName = new HashMap<>();
        for (JsonNode v : spec.path("volumes")) {
            byName.put(v.path("name").asText(""), v);
        }
        return byName;
    }

    private static boolean writableSource(JsonNode volume) {
        for (String source : READ_ONLY_SOURCES) {
            if (volume.has(source)) {
                return false;
            }
        }
        JsonNode pvc = volume.get("persistentVolumeClaim");
        if (pvc != null && pvc.path("readOnly").asBoolean(false)) {
            return false;
        }
        JsonNode hostPath = volume.get("hostPath");
        return hostPath == null || !hostPath.path("readOnly").asBoolean(false);
    }

    /** A writable mount at or above the path: where data must persist, a mount below it holds only part of it. */
    boolean holds(String path) {
        String p = canonical(path);
        for (Mount m : mounts) {
            if (m.writable && atOrBelow(p, m.path)) {
                return true;
            }
        }
        return false;
    }

    /** A writable mount at, above or below the path. */
    boolean covers(String path) {
        String p = canonical(path);
        for (Mount m : mounts) {
            if (m.writable && related(m.path, p)) {
                return true;
            }
        }
        return false;
    }

    /** Any mount exactly at the path (a second one would be refused by the API server). */
    boolean occupied(String path) {
        String p = canonical(path);
        for (Mount m : mounts) {
            if (m.path.equals(p)) {
                return true;
            }
        }
        return false;
    }

    /** A read-only mount at or above the path: nothing can be made writable there. */
    boolean readOnlyAtOrAbove(String path) {
        String p = canonical(path);
        for (Mount m : mounts) {
            if (!m.writable && atOrBelow(p, m.path)) {
                return true;
            }
        }
        return false;
    }

    /** Any mount at, above or below the path, writable or not: nothing more may be stacked there. */
    boolean touches(String path) {
        String p = canonical(path);
        for (Mount m : mounts) {
            if (related(m.path, p)) {
                return true;
            }
        }
        return false;
    }

    /** A mount the plan adds. */
    void add(String path) {
        mounts.add(new Mount(canonical(path), true));
    }

    private static boolean related(String a, String b) {
        return atOrBelow(b, a) || atOrBelow(a, b);
    }

    /** {@code path} is {@code base} or a path under it (both canonical); compared in place, on every admission. */
    private static boolean atOrBelow(String path, String base) {
        if (base.equals("/")) {
            return path.startsWith("/");
        }
        return path.startsWith(base) && (path.length() == base.length() || path.charAt(base.length()) == '/');
    }

    /** A path as the planner compares it, for an image with these symbolic links (the native compiler's constants). */
    public static String canonical(String path, Map<String, String> symlinks) {
        return new Mounts(symlinks).canonical(path);
    }

    /** Normalised ({@code //}, {@code .}, {@code ..}, trailing {@code /}) with the image's symlinks resolved. */
    String canonical(String path) {
        String p = normalise(path);
        for (int hops = 0; hops < 8; hops++) {
            String resolved = p;
            for (Map.Entry<String, String> link : symlinks.entrySet()) {
                String from = link.getKey();
                if (atOrBelow(p, from)) {
                    resolved = link.getValue() + p.substring(from.length());
                    break;
                }
            }
            if (resolved.equals(p)) {
                return p;
            }
            p = normalise(resolved);
        }
        return p;
    }

    static String normalise(String path) {
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

    /** Absolute, no empty, "." or ".." component, no trailing slash (or exactly "/"). */
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
        for (int i = 0; i < n; i++) {
            if (path.charAt(i) == '/') {
                int end = path.indexOf('/', i + 1);
                int len = (end < 0 ? n : end) - i - 1;
                if (len == 0 || len == 1 && path.charAt(i + 1) == '.' || len == 2 && path.charAt(i + 1) == '.' && path.charAt(i + 2) == '.') {
                    return false;
                }
            }
        }
        return true;
    }
}

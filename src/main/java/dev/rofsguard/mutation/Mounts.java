package dev.rofsguard.mutation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rofsguard.catalog.Catalog;
import dev.rofsguard.catalog.ImagePaths;
import dev.rofsguard.podspec.ContainerView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

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
    private final Map<String, String> knownCanonical;
    private final List<Mount> mounts = new ArrayList<>(4);

    private Mounts(Map<String, String> symlinks, Map<String, String> knownCanonical) {
        this.symlinks = symlinks;
        this.knownCanonical = knownCanonical;
    }

    /**
     * The mounts of one container, compared as the matched image sees paths; {@code volumes}: the pod's volume of a
     * name, or null (asked only for mounts that could be writable).
     */
    static Mounts of(ContainerView c, Function<String, JsonNode> volumes, Catalog.Match match) {
        return of(c, volumes, match.symlinks(), match.canonical());
    }

    /** The mounts of one container with no image knowledge (no symbolic links). */
    static Mounts of(ContainerView c, Function<String, JsonNode> volumes) {
        return of(c, volumes, Map.of(), Map.of());
    }

    private static Mounts of(ContainerView c, Function<String, JsonNode> volumes, Map<String, String> symlinks,
                             Map<String, String> knownCanonical) {
        Mounts m = new Mounts(symlinks, knownCanonical);
        for (JsonNode mount : c.node().path("volumeMounts")) {
            String path = mount.path("mountPath").asText("");
            boolean writable = !mount.path("readOnly").asBoolean(false) && !mount.hasNonNull("subPath")
                    && !mount.hasNonNull("subPathExpr");
            if (writable) {
                // A name the pod spec does not declare is a StatefulSet's volumeClaimTemplate (a Pod with a dangling
                // mount is refused by the API server): a claim, writable.
                JsonNode volume = volumes.apply(mount.path("name").asText(""));
                writable = volume == null || writableSource(volume);
            }
            // The request's own paths: not among the catalog's worked-out ones, so not looked up there.
            m.mounts.add(new Mount(ImagePaths.canonical(path, symlinks), writable));
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
            if (m.writable && ImagePaths.atOrBelow(p, m.path)) {
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
            if (!m.writable && ImagePaths.atOrBelow(p, m.path)) {
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
        return ImagePaths.atOrBelow(b, a) || ImagePaths.atOrBelow(a, b);
    }

    /** Normalised with the image's symlinks resolved; the catalog's own paths are worked out once per image. */
    String canonical(String path) {
        String known = knownCanonical.get(path);
        return known != null ? known : ImagePaths.canonical(path, symlinks);
    }
}

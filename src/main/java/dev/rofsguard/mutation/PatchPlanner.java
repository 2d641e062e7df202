package dev.rofsguard.mutation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rofsguard.podspec.ContainerKind;
import dev.rofsguard.podspec.ContainerView;
import dev.rofsguard.podspec.PodSpecView;
import dev.rofsguard.podspec.WorkloadKinds;
import dev.rofsguard.policy.Annotations;
import dev.rofsguard.policy.PolicyEngine;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Plans the mutation of a Pod as explicit JSON Patch operations against the incoming JSON (never a diff of a
 * re-serialised model). Pure: no I/O. Idempotent: planning again on the patched pod yields no operation.
 */
public final class PatchPlanner {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PolicyEngine policy;
    private final Catalog catalog;
    private final MutationConfig config;

    public PatchPlanner(PolicyEngine policy) {
        this.policy = policy;
        this.catalog = policy.config().catalog();
        this.config = policy.config().mutation();
    }

    /** Pod CREATE: emptyDir volumes at the scratch paths of known images, the flag, the debug scratch volume. */
    public MutationPlan podCreate(JsonNode pod, String namespace) {
        return podCreate(pod, namespace, true);
    }

    /**
     * @param record whether to write the {@code rofs-guard.dev/mutated} annotation; not when the patch is for a
     *               user's source files ({@code audit --fix}), where it would only be noise
     */
    public MutationPlan podCreate(JsonNode pod, String namespace, boolean record) {
        Optional<String> skip = skipReason(pod, namespace);
        if (skip.isPresent()) {
            return skipped(skip.get());
        }
        PodSpecView view = PodSpecView.of(podKind(), pod).orElseThrow();
        JsonNode spec = view.spec();
        Set<String> volumeNames = new HashSet<>();
        for (JsonNode v : spec.path("volumes")) {
            volumeNames.add(v.path("name").asText(""));
        }
        ArrayNode patch = NODES.arrayNode();
        List<ObjectNode> newVolumes = new ArrayList<>();
        Map<String, MutationPlan.ContainerChange> changes = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();

        for (ContainerView c : view.containers()) {
            if (c.kind() == ContainerKind.EPHEMERAL_CONTAINER || policy.containerExemption(c, namespace).isPresent()) {
                continue;
            }
            Optional<Catalog.Match> match = catalog.match(c.image());
            if (match.isEmpty()) {
                continue;
            }
            String base = JsonPointers.pointer("spec", c.kind().field(), String.valueOf(c.index()));
            Set<String> mounted = mountPaths(c.node());
            List<ObjectNode> newMounts = new ArrayList<>();
            List<String> paths = new ArrayList<>();
            for (Catalog.Scratch s : match.get().scratch()) {
                if (mounted.contains(normalise(s.path()))) {
                    continue;
                }
                String name = VolumeNames.forPath(c.name(), s.path(), volumeNames);
                volumeNames.add(name);
                ObjectNode emptyDir = NODES.objectNode();
                if (s.medium() != null) {
                    emptyDir.put("medium", s.medium());
                }
                if (s.sizeLimit() != null) {
                    emptyDir.put("sizeLimit", s.sizeLimit());
                }
                ObjectNode volume = NODES.objectNode().put("name", name);
                volume.set("emptyDir", emptyDir);
                newVolumes.add(volume);
                newMounts.add(NODES.objectNode().put("name", name).put("mountPath", s.path()));
                mounted.add(normalise(s.path()));
                paths.add(s.path());
            }
            for (CatalogPath d : match.get().data()) {
                if (!covered(mounted, d.path())) {
                    warnings.add(dataWarning(c, match.get().entry(), d.path()));
                }
            }
            addAll(patch, c.node().get("volumeMounts"), base + "/volumeMounts", newMounts);
            boolean flag = config.setReadOnlyRootFilesystem() && setFlag(patch, c, base);
            if (!paths.isEmpty() || flag) {
                changes.put(c.name(), new MutationPlan.ContainerChange(match.get().entry(), paths, flag));
            }
        }
        if (config.debugScratchVolume() && !volumeNames.contains(MutationConfig.DEBUG_VOLUME)) {
            ObjectNode volume = NODES.objectNode().put("name", MutationConfig.DEBUG_VOLUME);
            volume.putObject("emptyDir").put("sizeLimit", config.debugScratchSizeLimit());
            newVolumes.add(volume);
        }
        addAll(patch, spec.get("volumes"), "/spec/volumes", newVolumes);
        if (record && !changes.isEmpty()) {
            annotate(patch, pod, changes);
        }
        return new MutationPlan(patch, changes, warnings, null);
    }

    /**
     * UPDATE of pods/ephemeralcontainers ({@code kubectl debug}): each new ephemeral container gets the flag (a
     * read-only debug shell still works) and, with the debug scratch volume, a writable /tmp.
     */
    public MutationPlan ephemeralUpdate(JsonNode pod, JsonNode oldPod, String namespace) {
        if (!config.ephemeralContainers()) {
            return skipped("ephemeral-container mutation is off");
        }
        Optional<String> skip = skipReason(pod, namespace);
        if (skip.isPresent()) {
            return skipped(skip.get());
        }
        PodSpecView view = PodSpecView.of(podKind(), pod).orElseThrow();
        Set<String> existing = new HashSet<>();
        PodSpecView.of(podKind(), oldPod).ifPresent(old -> old.containers().forEach(c -> existing.add(c.key())));
        boolean debugVolume = false;
        for (JsonNode v : view.spec().path("volumes")) {
            debugVolume |= MutationConfig.DEBUG_VOLUME.equals(v.path("name").asText());
        }
        ArrayNode patch = NODES.arrayNode();
        Map<String, MutationPlan.ContainerChange> changes = new LinkedHashMap<>();
        for (ContainerView c : view.containers()) {
            if (c.kind() != ContainerKind.EPHEMERAL_CONTAINER || existing.contains(c.key())
                    || policy.containerExemption(c, namespace).isPresent()) {
                continue;
            }
            String base = JsonPointers.pointer("spec", c.kind().field(), String.valueOf(c.index()));
            boolean flag = setFlag(patch, c, base);
            List<String> paths = new ArrayList<>();
            if (debugVolume && !mountPaths(c.node()).contains(MutationConfig.DEBUG_MOUNT_PATH)) {
                addAll(patch, c.node().get("volumeMounts"), base + "/volumeMounts", List.of(NODES.objectNode()
                        .put("name", MutationConfig.DEBUG_VOLUME).put("mountPath", MutationConfig.DEBUG_MOUNT_PATH)));
                paths.add(MutationConfig.DEBUG_MOUNT_PATH);
            }
            if (flag || !paths.isEmpty()) {
                changes.put(c.name(), new MutationPlan.ContainerChange("ephemeral", paths, flag));
            }
        }
        return new MutationPlan(patch, changes, List.of(), null);
    }

    private Optional<String> skipReason(JsonNode pod, String namespace) {
        if (!config.enabled()) {
            return Optional.of("mutation is off");
        }
        if (policy.namespaceExempt(namespace)) {
            return Optional.of("namespace " + namespace + " is exempt");
        }
        Optional<PodSpecView> view = PodSpecView.of(podKind(), pod);
        if (view.isEmpty()) {
            return Optional.of("no pod spec");
        }
        if (view.get().windowsReason().isPresent()) {
            return Optional.of("Windows pod (" + view.get().windowsReason().get() + ")");
        }
        if (policy.honouredExemptAnnotation(view.get(), namespace).isPresent()) {
            return Optional.of("exempt by annotation " + Annotations.EXEMPT);
        }
        return Optional.empty();
    }

    private static dev.rofsguard.podspec.WorkloadKind podKind() {
        return WorkloadKinds.BUILT_IN.get(0);
    }

    /** Adds the flag where absent; an explicit value (false, or a non-boolean) is the user's and stays. */
    private static boolean setFlag(ArrayNode patch, ContainerView c, String base) {
        switch (c.rootFilesystem()) {
            case NO_SECURITY_CONTEXT -> {
                JsonNode sc = c.node().get("securityContext");
                if (sc != null && !sc.isNull()) {
                    return false; // a non-object securityContext: not ours to repair
                }
                ObjectNode value = NODES.objectNode().put("readOnlyRootFilesystem", true);
                patch.addObject().put("op", "add").put("path", base + "/securityContext").set("value", value);
                return true;
            }
            case NOT_SET -> {
                patch.addObject().put("op", "add").put("path", base + "/securityContext/readOnlyRootFilesystem").put("value", true);
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    /** Adds items to an array: the whole array when absent, else one {@code /-} append per item. */
    private static void addAll(ArrayNode patch, JsonNode existing, String pointer, List<ObjectNode> items) {
        if (items.isEmpty()) {
            return;
        }
        if (existing == null || existing.isNull() || !existing.isArray()) {
            ArrayNode all = NODES.arrayNode();
            items.forEach(all::add);
            patch.addObject().put("op", "add").put("path", pointer).set("value", all);
        } else {
            for (ObjectNode item : items) {
                patch.addObject().put("op", "add").put("path", pointer + "/-").set("value", item);
            }
        }
    }

    /** Records what was done, so that `kubectl get -o yaml` explains itself; merges with an earlier record. */
    private static void annotate(ArrayNode patch, JsonNode pod, Map<String, MutationPlan.ContainerChange> changes) {
        ObjectNode record = NODES.objectNode();
        JsonNode annotations = pod.path("metadata").path("annotations");
        JsonNode previous = annotations.get(Annotations.MUTATED);
        if (previous != null && previous.isTextual()) {
            try {
                JsonNode parsed = JSON.readTree(previous.textValue());
                if (parsed.isObject()) {
                    record.setAll((ObjectNode) parsed);
                }
            } catch (java.io.IOException ignored) {
                // not ours or damaged: replaced by this record
            }
        }
        changes.forEach((name, change) -> {
            ObjectNode c = record.putObject(name);
            c.put("entry", change.entry());
            ArrayNode paths = c.putArray("emptyDir");
            change.mounted().forEach(paths::add);
            c.put("readOnlyRootFilesystem", change.readOnlyRootFilesystem());
        });
        String value = record.toString();
        if (!pod.path("metadata").isObject()) {
            ObjectNode meta = NODES.objectNode();
            meta.putObject("annotations").put(Annotations.MUTATED, value);
            patch.addObject().put("op", "add").put("path", "/metadata").set("value", meta);
        } else if (!annotations.isObject()) {
            ObjectNode value2 = NODES.objectNode().put(Annotations.MUTATED, value);
            patch.addObject().put("op", "add").put("path", "/metadata/annotations").set("value", value2);
        } else {
            patch.addObject().put("op", "add").put("path", JsonPointers.pointer("metadata", "annotations", Annotations.MUTATED))
                    .put("value", value);
        }
    }

    private static Set<String> mountPaths(JsonNode container) {
        Set<String> paths = new HashSet<>();
        for (JsonNode m : container.path("volumeMounts")) {
            paths.add(normalise(m.path("mountPath").asText("")));
        }
        return paths;
    }

    static String normalise(String path) {
        String p = path;
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }

    /** A data path is covered by a mount at it, above it, or below it (PGDATA may point into a subdirectory). */
    private static boolean covered(Set<String> mounted, String dataPath) {
        String d = normalise(dataPath);
        for (String m : mounted) {
            if (m.equals(d) || d.startsWith(m.equals("/") ? "/" : m + "/") || m.startsWith(d + "/")) {
                return true;
            }
        }
        return false;
    }

    private static String dataWarning(ContainerView c, String entry, String path) {
        return "rofs-guard: " + c.kind().field() + " \"" + c.name() + "\" (" + entry + ") keeps data at " + path
                + " and nothing is mounted there; mount a PersistentVolumeClaim (an emptyDir would lose it on restart)";
    }

    private static MutationPlan skipped(String reason) {
        return new MutationPlan(NODES.arrayNode(), Map.of(), List.of(), reason);
    }
}

package dev.rofsguard.mutation;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rofsguard.catalog.Catalog;
import dev.rofsguard.catalog.CatalogPath;
import dev.rofsguard.podspec.Annotations;
import dev.rofsguard.podspec.ContainerKind;
import dev.rofsguard.podspec.ContainerView;
import dev.rofsguard.podspec.PodSpecView;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Plans the mutation of a pod spec (a Pod's, or a workload's template) as explicit operations against the incoming
 * JSON, with paths under the kind's pod spec. Pure: no I/O. Idempotent: planning again on the patched object yields
 * no operation. It decides nothing about exemptions: the judge passes the containers it may touch.
 */
public final class PatchPlanner {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Catalog catalog;
    private final MutationConfig config;

    public PatchPlanner(MutationConfig config, Catalog catalog) {
        this.catalog = catalog;
        this.config = config;
    }

    /**
     * At creation: emptyDir volumes at the scratch paths of known images, the flag, the debug scratch volume.
     *
     * @param eligible the containers and init containers the judge lets the mutation touch (not exempt)
     */
    public Plan create(PodSpecView pod, List<ContainerView> eligible) {
        JsonNode spec = pod.spec();
        Set<String> volumeNames = new HashSet<>();
        for (JsonNode v : spec.path("volumes")) {
            volumeNames.add(v.path("name").asText(""));
        }
        VolumeNames names = new VolumeNames(volumeNames);
        List<Plan.Op> ops = new ArrayList<>();
        List<ObjectNode> newVolumes = new ArrayList<>();
        List<String> volumeReasons = new ArrayList<>();
        Map<String, Plan.ContainerChange> changes = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        JsonPointer specPointer = JsonPointer.compile(pod.kind().podSpecPointer());

        for (ContainerView c : eligible) {
            if (c.kind() == ContainerKind.EPHEMERAL_CONTAINER) {
                continue;
            }
            Catalog.Match match = catalog.match(c.image()).orElse(null);
            if (match == null) {
                continue;
            }
            JsonPointer base = specPointer.appendProperty(c.kind().field()).appendIndex(c.index());
            Set<String> mounted = mountPaths(c.node());
            List<ObjectNode> newMounts = new ArrayList<>();
            List<Plan.Mount> mounts = new ArrayList<>();
            for (Catalog.Scratch s : match.scratch()) {
                if (mounted.contains(normalise(s.path()))) {
                    continue;
                }
                String name = names.forPath(c.name(), s.path());
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
                volumeReasons.add(match.entry() + ": " + s.path());
                newMounts.add(NODES.objectNode().put("name", name).put("mountPath", s.path()));
                mounted.add(normalise(s.path()));
                mounts.add(new Plan.Mount(name, s.path(), s.medium(), s.sizeLimit()));
            }
            for (CatalogPath d : match.data()) {
                if (!covered(mounted, d.path())) {
                    warnings.add(dataWarning(c, match.entry(), d.path()));
                }
            }
            addAll(ops, c.node().get("volumeMounts"), base.appendProperty("volumeMounts"), newMounts,
                    "catalog entry " + match.entry() + ": scratch paths of the image");
            boolean flag = config.setReadOnlyRootFilesystem() && setFlag(ops, c, base, "catalog entry " + match.entry());
            if (!mounts.isEmpty() || flag) {
                changes.put(c.name(), new Plan.ContainerChange(match.entry(), mounts, flag));
            }
        }
        if (config.debugScratchVolume() && !volumeNames.contains(MutationConfig.DEBUG_VOLUME)) {
            ObjectNode volume = NODES.objectNode().put("name", MutationConfig.DEBUG_VOLUME);
            volume.putObject("emptyDir").put("sizeLimit", config.debugScratchSizeLimit());
            newVolumes.add(volume);
        }
        addAll(ops, spec.get("volumes"), specPointer.appendProperty("volumes"), newVolumes, "emptyDir volumes for the mounts");
        return new Plan(ops, changes, warnings, null);
    }

    /**
     * UPDATE of pods/ephemeralcontainers ({@code kubectl debug}): each new ephemeral container gets the flag (a
     * read-only debug shell still works) and, with the debug scratch volume, a writable /tmp.
     *
     * @param added the ephemeral containers this update adds that the judge lets the mutation touch
     */
    public Plan ephemeral(PodSpecView pod, List<ContainerView> added) {
        if (!config.ephemeralContainers()) {
            return Plan.skipped("ephemeral-container mutation is off");
        }
        boolean debugVolume = false;
        for (JsonNode v : pod.spec().path("volumes")) {
            debugVolume |= MutationConfig.DEBUG_VOLUME.equals(v.path("name").asText());
        }
        JsonPointer specPointer = JsonPointer.compile(pod.kind().podSpecPointer());
        List<Plan.Op> ops = new ArrayList<>();
        Map<String, Plan.ContainerChange> changes = new LinkedHashMap<>();
        for (ContainerView c : added) {
            JsonPointer base = specPointer.appendProperty(c.kind().field()).appendIndex(c.index());
            boolean flag = setFlag(ops, c, base, "ephemeral container");
            List<Plan.Mount> mounts = new ArrayList<>();
            if (debugVolume && !mountPaths(c.node()).contains(MutationConfig.DEBUG_MOUNT_PATH)) {
                addAll(ops, c.node().get("volumeMounts"), base.appendProperty("volumeMounts"), List.of(NODES.objectNode()
                        .put("name", MutationConfig.DEBUG_VOLUME).put("mountPath", MutationConfig.DEBUG_MOUNT_PATH)),
                        "debug scratch volume");
                mounts.add(new Plan.Mount(MutationConfig.DEBUG_VOLUME, MutationConfig.DEBUG_MOUNT_PATH, null, null));
            }
            if (flag || !mounts.isEmpty()) {
                changes.put(c.name(), new Plan.ContainerChange("ephemeral", mounts, flag));
            }
        }
        return new Plan(ops, changes, List.of(), null);
    }

    /**
     * The plan with the {@code rofs-guard.dev/mutated} record added, so that `kubectl get -o yaml` explains itself;
     * merges with an earlier record. Only for pods the webhook patches (a source file needs no such noise).
     */
    public static Plan recorded(Plan plan, JsonNode pod) {
        if (plan.changes().isEmpty()) {
            return plan;
        }
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
        plan.changes().forEach((name, change) -> {
            ObjectNode c = record.putObject(name);
            c.put("entry", change.entry());
            ArrayNode paths = c.putArray("emptyDir");
            change.mounted().forEach(paths::add);
            c.put("readOnlyRootFilesystem", change.readOnlyRootFilesystem());
        });
        String value = record.toString();
        String why = "record of the mutation";
        Plan.Op op;
        if (!pod.path("metadata").isObject()) {
            ObjectNode meta = NODES.objectNode();
            meta.putObject("annotations").put(Annotations.MUTATED, value);
            op = new Plan.Op("/metadata", meta, why);
        } else if (!annotations.isObject()) {
            op = new Plan.Op("/metadata/annotations", NODES.objectNode().put(Annotations.MUTATED, value), why);
        } else {
            op = new Plan.Op(JsonPointer.compile("/metadata/annotations").appendProperty(Annotations.MUTATED).toString(),
                    NODES.textNode(value), why);
        }
        List<Plan.Op> ops = new ArrayList<>(plan.ops());
        ops.add(op);
        return new Plan(ops, plan.changes(), plan.warnings(), plan.skipped());
    }

    /** Adds the flag where absent; an explicit value (false, or a non-boolean) is the user's and stays. */
    private static boolean setFlag(List<Plan.Op> ops, ContainerView c, JsonPointer base, String why) {
        switch (c.rootFilesystem()) {
            case NO_SECURITY_CONTEXT -> {
                JsonNode sc = c.node().get("securityContext");
                if (sc != null && !sc.isNull()) {
                    return false; // a non-object securityContext: not ours to repair
                }
                ops.add(new Plan.Op(base.appendProperty("securityContext").toString(),
                        NODES.objectNode().put("readOnlyRootFilesystem", true), why));
                return true;
            }
            case NOT_SET -> {
                ops.add(new Plan.Op(base.appendProperty("securityContext").appendProperty("readOnlyRootFilesystem").toString(),
                        NODES.booleanNode(true), why));
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    /** Adds items to an array: the whole array when absent, else one {@code /-} append per item. */
    private static void addAll(List<Plan.Op> ops, JsonNode existing, JsonPointer pointer, List<ObjectNode> items, String why) {
        if (items.isEmpty()) {
            return;
        }
        if (existing == null || existing.isNull() || !existing.isArray()) {
            ArrayNode all = NODES.arrayNode();
            items.forEach(all::add);
            ops.add(new Plan.Op(pointer.toString(), all, why));
        } else {
            for (ObjectNode item : items) {
                ops.add(new Plan.Op(pointer + "/-", item, why));
            }
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
}

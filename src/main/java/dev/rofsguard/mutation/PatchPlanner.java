package dev.rofsguard.mutation;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rofsguard.catalog.Catalog;
import dev.rofsguard.catalog.CatalogPath;
import dev.rofsguard.catalog.ImagePaths;
import dev.rofsguard.catalog.PathType;
import dev.rofsguard.podspec.Annotations;
import dev.rofsguard.podspec.ContainerKind;
import dev.rofsguard.podspec.ContainerView;
import dev.rofsguard.podspec.PodSpecView;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Plans the mutation of a pod spec (a Pod's, or a workload's template) as explicit operations against the incoming
 * JSON, with paths under the kind's pod spec. Pure: no I/O. Idempotent: planning again on the patched object yields
 * no operation. It decides nothing about exemptions: the judge passes the containers it may touch.
 */
public final class PatchPlanner {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The record's annotation as a JSON Pointer, escaped by Jackson (its key holds a "/"). */
    private static final String MUTATED_POINTER =
            JsonPointer.compile("/metadata/annotations").appendProperty(Annotations.MUTATED).toString();

    private final Catalog catalog;
    private final MutationConfig config;

    public PatchPlanner(MutationConfig config, Catalog catalog) {
        this.catalog = catalog;
        this.config = config;
    }

    /** Prefix of the init containers the plan adds to seed paths; the planner never plans for its own. */
    public static final String SEED_PREFIX = "rofs-seed-";
    /** Where a seed init container mounts the i-th emptyDir it fills. */
    static final String SEED_MOUNT = "/rofs-seed/";

    /**
     * At creation: emptyDir volumes at the scratch and seeded paths of known images (seeded ones filled by an init
     * container), the flag, the debug scratch volume. A container whose data path has nothing writable mounted, or
     * whose seeded path cannot be seeded, is left alone (the flag would break it) and the plan says why.
     *
     * @param eligible the containers and init containers the judge lets the mutation touch (not exempt)
     */
    public Plan create(PodSpecView pod, List<ContainerView> eligible) {
        JsonNode spec = pod.spec();
        Map<String, JsonNode> podVolumes = Mounts.volumes(spec);
        VolumeNames names = new VolumeNames(new HashSet<>(podVolumes.keySet()));
        Set<String> containerNames = new HashSet<>();
        pod.containers().forEach(c -> containerNames.add(c.name()));
        VolumeNames seedNames = new VolumeNames(containerNames);
        List<Plan.Op> ops = new ArrayList<>();
        List<Plan.Op> seedOps = new ArrayList<>();
        List<ObjectNode> newVolumes = new ArrayList<>();
        Map<String, Plan.ContainerChange> changes = new LinkedHashMap<>();
        Map<String, String> blocked = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        String specPointer = pod.kind().podSpecPointer();

        for (ContainerView c : eligible) {
            if (c.kind() == ContainerKind.EPHEMERAL_CONTAINER
                    || (c.kind() == ContainerKind.INIT_CONTAINER && c.name().startsWith(SEED_PREFIX))) {
                continue;
            }
            Catalog.Match match = catalog.match(c.image()).orElse(null);
            if (match == null) {
                continue;
            }
            Mounts mounts = Mounts.of(c, podVolumes::get, match);
            Optional<String> block = blocked(c, match, mounts);
            if (block.isPresent()) {
                blocked.put(c.name(), block.get());
                warnings.add("rofs-guard: " + c.kind().field() + " \"" + c.name() + "\" (" + match.entry() + "): " + block.get());
                continue;
            }
            String base = specPointer + "/" + c.kind().field() + "/" + c.index();
            List<ObjectNode> newMounts = new ArrayList<>();
            List<Plan.Mount> added = new ArrayList<>();
            List<Plan.Mount> seeds = new ArrayList<>();
            for (Catalog.Resolved r : match.paths()) {
                if (r.type() != PathType.SCRATCH && r.type() != PathType.SEEDED || !applies(r, c, mounts)) {
                    continue;
                }
                String path = moved(r, c).orElse(r.path());
                if (mounts.covers(path) || mounts.occupied(path)) {
                    continue;
                }
                String name = names.forPath(c.name(), path);
                ObjectNode emptyDir = NODES.objectNode();
                if (r.medium() != null) {
                    emptyDir.put("medium", r.medium());
                }
                emptyDir.put("sizeLimit", r.sizeLimit());
                ObjectNode volume = NODES.objectNode().put("name", name);
                volume.set("emptyDir", emptyDir);
                newVolumes.add(volume);
                newMounts.add(NODES.objectNode().put("name", name).put("mountPath", path));
                mounts.add(path);
                Plan.Mount m = new Plan.Mount(name, path, r.medium(), r.sizeLimit(), r.type() == PathType.SEEDED);
                added.add(m);
                if (m.seeded()) {
                    seeds.add(m);
                }
            }
            addAll(ops, c.node().get("volumeMounts"), base + "/volumeMounts", newMounts,
                    "catalog entry " + match.entry() + ": paths the image writes");
            boolean flag = config.setReadOnlyRootFilesystem() && setFlag(ops, c, base, "catalog entry " + match.entry());
            String seed = null;
            if (!seeds.isEmpty()) {
                seed = seedNames.containerName(SEED_PREFIX, c.name());
                seedOps.add(new Plan.Op(specPointer + "/initContainers/0",
                        seedContainer(seed, c, seeds), "catalog entry " + match.entry() + ": copies what the image ships into "
                        + String.join(", ", seeds.stream().map(Plan.Mount::path).toList())));
            }
            if (!added.isEmpty() || flag) {
                changes.put(c.name(), new Plan.ContainerChange(match.entry(), added, flag, seed));
            }
        }
        if (config.debugScratchVolume() && !podVolumes.containsKey(MutationConfig.DEBUG_VOLUME)) {
            ObjectNode volume = NODES.objectNode().put("name", MutationConfig.DEBUG_VOLUME);
            volume.putObject("emptyDir").put("sizeLimit", config.debugScratchSizeLimit());
            newVolumes.add(volume);
        }
        addAll(ops, spec.get("volumes"), specPointer + "/volumes", newVolumes, "emptyDir volumes for the mounts");
        if (!seedOps.isEmpty()) {
            // Seeds run before the user's init containers. They go last in the patch, so that the operations above
            // still address init containers by their original index; inserted at 0 in reverse, they keep their order.
            if (!spec.path("initContainers").isArray()) {
                ArrayNode all = NODES.arrayNode();
                seedOps.forEach(op -> all.add(op.value()));
                ops.add(new Plan.Op(specPointer + "/initContainers", all, seedOps.get(0).why()));
            } else {
                for (int k = seedOps.size() - 1; k >= 0; k--) {
                    ops.add(seedOps.get(k));
                }
            }
        }
        return new Plan(ops, changes, blocked, warnings, null);
    }

    /**
     * Only why the catalog cannot make each of these containers read-only, by container name: what the plan's
     * {@link Plan#blocked()} would say, without building the operations (the validating door's hot path).
     */
    public Map<String, String> blocked(PodSpecView pod, List<ContainerView> containers) {
        Function<String, JsonNode> volume = new LazyVolumes(pod.spec());
        Map<String, String> reasons = Map.of();
        for (ContainerView c : containers) {
            Catalog.Match match = c.kind() == ContainerKind.EPHEMERAL_CONTAINER ? null : catalog.match(c.image()).orElse(null);
            if (match == null) {
                continue;
            }
            Optional<String> why = blocked(c, match, Mounts.of(c, volume, match));
            if (why.isPresent()) {
                if (reasons.isEmpty()) {
                    reasons = new LinkedHashMap<>();
                }
                reasons.put(c.name(), why.get());
            }
        }
        return reasons;
    }

    /** The pod's volumes by name, gathered only if a mount that could be writable asks (the validating door's hot path). */
    private static final class LazyVolumes implements Function<String, JsonNode> {
        private final JsonNode spec;
        private Map<String, JsonNode> byName;

        LazyVolumes(JsonNode spec) {
            this.spec = spec;
        }

        @Override
        public JsonNode apply(String name) {
            if (byName == null) {
                byName = Mounts.volumes(spec);
            }
            return byName.get(name);
        }
    }

    /** Why the catalog cannot make this container read-only, if it cannot. */
    private static Optional<String> blocked(ContainerView c, Catalog.Match match, Mounts mounts) {
        for (String env : match.requiredEnv()) {
            boolean set = false;
            for (JsonNode e : c.node().path("env")) {
                set |= env.equals(e.path("name").asText());
            }
            if (!set) {
                return Optional.of("needs " + env + " set to start with a read-only root filesystem, so it is not made "
                        + "read-only; set " + env + " (see the catalog entry's reason)");
            }
        }
        // Obsolete mounts first: their reason is the one to hear (postgres 18 with a claim at the pre-18 path).
        // Two passes over the entry's paths rather than a reordered copy: this runs on every admission.
        for (int pass = 0; pass < 2; pass++) {
            for (Catalog.Resolved r : match.paths()) {
                if ((r.type() == PathType.OBSOLETE) != (pass == 0) || !applies(r, c, mounts)) {
                    continue;
                }
                String why = blockedAt(r, c, match, mounts);
                if (why != null) {
                    return Optional.of(why);
                }
            }
        }
        return Optional.empty();
    }

    /** Why this one path keeps the catalog from making the container read-only, or null. */
    private static String blockedAt(Catalog.Resolved r, ContainerView c, Catalog.Match match, Mounts mounts) {
        Optional<String> moved = moved(r, c);
        String path = moved.orElse(r.path());
        String via = moved.isPresent() ? " (moved by " + (r.source().env() != null ? r.source().env() : r.source().arg()) + ")" : "";
        switch (r.type()) {
            case DATA -> {
                if (moved.isEmpty() && movedUnknowably(r, c)) {
                    return r.source().env() + " is set from a reference, so where the data goes is not known; "
                            + "mount a PersistentVolumeClaim there and set readOnlyRootFilesystem: true yourself";
                }
                if (!mounts.holds(path)) {
                    return "keeps data at " + path + via + " and nothing writable is mounted there, so it is "
                            + "not made read-only; mount a PersistentVolumeClaim there (or an emptyDir, if losing the data "
                            + "on restart is intended)";
                }
            }
            case OBSOLETE -> {
                // Moved (PGDATA pointing into that volume) it is a valid layout again.
                if (moved.isEmpty() && mounts.occupied(path)) {
                    return "a volume at " + path + " breaks this image version"
                            + (r.source().reason() == null ? "" : ": " + r.source().reason());
                }
            }
            case SCRATCH -> {
                if (!mounts.covers(path) && mounts.readOnlyAtOrAbove(path)) {
                    return "writes to " + path + via + ", which is on a read-only mount, so it is not made "
                            + "read-only; mount a writable volume (an emptyDir) there";
                }
            }
            case SEEDED -> {
                if (!mounts.covers(path) && mounts.readOnlyAtOrAbove(path)) {
                    return "writes to " + path + via + ", which is on a read-only mount; mount a writable "
                            + "volume with that content there";
                }
                if (!mounts.covers(path) && !match.shell()) {
                    return "must write to " + path + ", where the image ships files, and the image has no "
                            + "shell to copy them into an emptyDir; mount a volume with that content there";
                }
                if (!mounts.covers(path) && !SAFE_PATH.matcher(path).matches()) {
                    return "seeded path " + path + via + " has characters rofs-guard will not put in a shell command";
                }
            }
            default -> { }
        }
        return null;
    }

    private static final java.util.regex.Pattern SAFE_PATH = java.util.regex.Pattern.compile("/[A-Za-z0-9._/-]*");

    /**
     * Conditions on the container: a mount somewhere (nginx templates), words of its command line (mongo
     * {@code --configsvr}, keycloak {@code --optimized}), its env (kafka {@code KAFKA_LOG_DIRS}).
     */
    private static boolean applies(Catalog.Resolved r, ContainerView c, Mounts mounts) {
        return (r.source().ifMounted() == null || mounts.touches(r.source().ifMounted())) && r.source().appliesTo(c.node());
    }

    /** Where the container's env or args move the path, if they do (a literal value only). */
    static Optional<String> moved(Catalog.Resolved r, ContainerView c) {
        CatalogPath p = r.source();
        if (p.env() != null) {
            for (JsonNode e : c.node().path("env")) {
                if (p.env().equals(e.path("name").asText()) && e.path("value").isTextual() && e.path("value").textValue().startsWith("/")) {
                    return Optional.of(ImagePaths.normalise(e.path("value").textValue()));
                }
            }
        }
        if (p.arg() != null) {
            List<String> words = new ArrayList<>();
            c.node().path("command").forEach(w -> words.add(w.asText()));
            c.node().path("args").forEach(w -> words.add(w.asText()));
            for (int i = 0; i < words.size(); i++) {
                String w = words.get(i);
                if (w.equals(p.arg()) && i + 1 < words.size() && words.get(i + 1).startsWith("/")) {
                    return Optional.of(ImagePaths.normalise(words.get(i + 1)));
                }
                if (w.startsWith(p.arg() + "=") && w.substring(p.arg().length() + 1).startsWith("/")) {
                    return Optional.of(ImagePaths.normalise(w.substring(p.arg().length() + 1)));
                }
            }
        }
        return Optional.empty();
    }

    /** The env var is set, but from a ConfigMap, Secret or field: its value is not in the spec. */
    private static boolean movedUnknowably(Catalog.Resolved r, ContainerView c) {
        String env = r.source().env();
        if (env == null) {
            return false;
        }
        for (JsonNode e : c.node().path("env")) {
            if (env.equals(e.path("name").asText()) && e.has("valueFrom")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The init container that copies what the image ships at each seeded path into its emptyDir: same image, the app
     * container's user and resources, and itself hardened (read-only root, no privilege escalation, no capabilities).
     * {@code cp -R} without {@code -p}: the copies belong to the copying user, so the app can write them without
     * CAP_CHOWN.
     */
    private static ObjectNode seedContainer(String name, ContainerView app, List<Plan.Mount> seeds) {
        ObjectNode init = NODES.objectNode().put("name", name).put("image", app.image());
        if (app.node().hasNonNull("imagePullPolicy")) {
            init.set("imagePullPolicy", app.node().get("imagePullPolicy"));
        }
        StringBuilder script = new StringBuilder("set -e");
        ArrayNode mounts = NODES.arrayNode();
        for (int i = 0; i < seeds.size(); i++) {
            Plan.Mount m = seeds.get(i);
            script.append("; cp -R '").append(m.path()).append("/.' '").append(SEED_MOUNT).append(i).append("/'");
            mounts.addObject().put("name", m.volume()).put("mountPath", SEED_MOUNT + i);
        }
        init.putArray("command").add("sh").add("-c").add(script.toString());
        init.set("volumeMounts", mounts);
        if (app.node().path("resources").isObject()) {
            init.set("resources", app.node().get("resources").deepCopy());
        }
        ObjectNode sc = init.putObject("securityContext");
        JsonNode appSc = app.node().path("securityContext");
        for (String field : List.of("runAsUser", "runAsGroup", "runAsNonRoot")) {
            if (appSc.hasNonNull(field)) {
                sc.set(field, appSc.get(field));
            }
        }
        sc.put("readOnlyRootFilesystem", true).put("allowPrivilegeEscalation", false);
        sc.putObject("capabilities").putArray("drop").add("ALL");
        return init;
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
        String specPointer = pod.kind().podSpecPointer();
        List<Plan.Op> ops = new ArrayList<>();
        Map<String, Plan.ContainerChange> changes = new LinkedHashMap<>();
        for (ContainerView c : added) {
            String base = specPointer + "/" + c.kind().field() + "/" + c.index();
            boolean flag = setFlag(ops, c, base, "ephemeral container");
            List<Plan.Mount> mounts = new ArrayList<>();
            if (debugVolume && !Mounts.of(c, name -> null).occupied(MutationConfig.DEBUG_MOUNT_PATH)) {
                addAll(ops, c.node().get("volumeMounts"), base + "/volumeMounts", List.of(NODES.objectNode()
                        .put("name", MutationConfig.DEBUG_VOLUME).put("mountPath", MutationConfig.DEBUG_MOUNT_PATH)),
                        "debug scratch volume");
                mounts.add(new Plan.Mount(MutationConfig.DEBUG_VOLUME, MutationConfig.DEBUG_MOUNT_PATH, null, null, false));
            }
            if (flag || !mounts.isEmpty()) {
                changes.put(c.name(), new Plan.ContainerChange("ephemeral", mounts, flag, null));
            }
        }
        return new Plan(ops, changes, Map.of(), List.of(), null);
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
            op = new Plan.Op(MUTATED_POINTER, NODES.textNode(value), why);
        }
        List<Plan.Op> ops = new ArrayList<>(plan.ops());
        ops.add(op);
        return new Plan(ops, plan.changes(), plan.blocked(), plan.warnings(), plan.skipped());
    }

    /** Adds the flag where absent; an explicit value (false, or a non-boolean) is the user's and stays. */
    private static boolean setFlag(List<Plan.Op> ops, ContainerView c, String base, String why) {
        switch (c.rootFilesystem()) {
            case NO_SECURITY_CONTEXT -> {
                JsonNode sc = c.node().get("securityContext");
                if (sc != null && !sc.isNull()) {
                    return false; // a non-object securityContext: not ours to repair
                }
                ops.add(new Plan.Op(base + "/securityContext",
                        NODES.objectNode().put("readOnlyRootFilesystem", true), why));
                return true;
            }
            case NOT_SET -> {
                ops.add(new Plan.Op(base + "/securityContext/readOnlyRootFilesystem",
                        NODES.booleanNode(true), why));
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    /** Adds items to an array: the whole array when absent, else one {@code /-} append per item. */
    private static void addAll(List<Plan.Op> ops, JsonNode existing, String pointer, List<ObjectNode> items, String why) {
        if (items.isEmpty()) {
            return;
        }
        if (existing == null || existing.isNull() || !existing.isArray()) {
            ArrayNode all = NODES.arrayNode();
            items.forEach(all::add);
            ops.add(new Plan.Op(pointer, all, why));
        } else {
            for (ObjectNode item : items) {
                ops.add(new Plan.Op(pointer + "/-", item, why));
            }
        }
    }
}

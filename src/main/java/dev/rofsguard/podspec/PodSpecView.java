package dev.rofsguard.podspec;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A small read-only view over the JSON tree of an object that carries a pod spec. It finds the pod spec through
 * the {@link WorkloadKind} table and reads only what the policy and mutation need.
 */
public final class PodSpecView {

    private final WorkloadKind kind;
    private final JsonNode object;
    private final JsonNode spec;
    private final JsonNode podMetadata;
    private List<ContainerView> containers;

    private PodSpecView(WorkloadKind kind, JsonNode object, JsonNode spec, JsonNode podMetadata) {
        this.kind = kind;
        this.object = object;
        this.spec = spec;
        this.podMetadata = podMetadata;
    }

    /** The view, or empty when the object has no pod spec object where its kind keeps one. */
    public static Optional<PodSpecView> of(WorkloadKind kind, JsonNode object) {
        if (object == null || !object.isObject()) {
            return Optional.empty();
        }
        JsonNode spec = at(object, kind.podSpecPath());
        if (!spec.isObject()) {
            return Optional.empty();
        }
        return Optional.of(new PodSpecView(kind, object, spec, at(object, kind.podMetadataPath())));
    }

    static JsonNode at(JsonNode root, List<String> path) {
        JsonNode node = root;
        for (String field : path) {
            node = node.path(field);
        }
        return node;
    }

    public WorkloadKind kind() {
        return kind;
    }

    public JsonNode object() {
        return object;
    }

    public JsonNode spec() {
        return spec;
    }

    /** The pod template node (spec's parent) for workloads, the object itself for a Pod; used to detect template changes. */
    public JsonNode template() {
        return kind.isPod() ? object : at(object, kind.templatePath());
    }

    /** All containers in API order: containers, then initContainers, then ephemeralContainers. */
    public List<ContainerView> containers() {
        // Read once per view: the judge walks them several times, and the tree under a view is never changed.
        if (containers == null) {
            containers = Collections.unmodifiableList(read());
        }
        return containers;
    }

    private List<ContainerView> read() {
        List<ContainerView> all = new ArrayList<>(4);
        for (ContainerKind k : ContainerKind.values()) {
            JsonNode list = spec.get(k.field());
            if (list != null && list.isArray()) {
                for (int i = 0; i < list.size(); i++) {
                    JsonNode c = list.get(i);
                    if (c.isObject()) {
                        all.add(new ContainerView(k, i, c));
                    }
                }
            }
        }
        return all;
    }

    /**
     * The first field of this pod spec the API server would refuse, among those the engine reads (wrong type, missing
     * name or image, duplicate names or mount paths), or empty. Such a spec is judged an error, never passed.
     */
    public Optional<String> shapeProblem() {
        return PodSpecShape.problem(kind.podSpecFieldPath(), spec, podMetadata);
    }

    /** Why this pod is a Windows pod, or empty: {@code spec.os.name} or the {@code kubernetes.io/os} node selector. */
    public Optional<String> windowsReason() {
        if ("windows".equals(spec.path("os").path("name").asText(null))) {
            return Optional.of("spec.os.name is windows");
        }
        if ("windows".equals(spec.path("nodeSelector").path("kubernetes.io/os").asText(null))) {
            return Optional.of("nodeSelector kubernetes.io/os is windows");
        }
        return Optional.empty();
    }

    /** An annotation of the pod (for workloads: of the pod template), or empty. */
    public Optional<String> podAnnotation(String key) {
        JsonNode value = podMetadata.path("annotations").get(key);
        return value != null && value.isTextual() ? Optional.of(value.textValue()) : Optional.empty();
    }
}

package dev.rofsguard.podspec;

import com.fasterxml.jackson.databind.JsonNode;

/** One container of a pod spec, read from the JSON tree without copying it. */
public record ContainerView(ContainerKind kind, int index, JsonNode node) {

    /** What {@code securityContext.readOnlyRootFilesystem} says. */
    public enum RootFilesystem {
        READ_ONLY, WRITABLE, NO_SECURITY_CONTEXT, NOT_SET, NOT_A_BOOLEAN
    }

    public String name() {
        return node.path("name").asText("");
    }

    /** The image reference as written; empty if none. */
    public String image() {
        JsonNode image = node.get("image");
        return image != null && image.isTextual() ? image.textValue() : "";
    }

    public RootFilesystem rootFilesystem() {
        JsonNode sc = node.get("securityContext");
        if (sc == null || sc.isNull() || !sc.isObject()) {
            return RootFilesystem.NO_SECURITY_CONTEXT;
        }
        JsonNode flag = sc.get("readOnlyRootFilesystem");
        if (flag == null || flag.isNull()) {
            return RootFilesystem.NOT_SET;
        }
        if (!flag.isBoolean()) {
            return RootFilesystem.NOT_A_BOOLEAN;
        }
        return flag.booleanValue() ? RootFilesystem.READ_ONLY : RootFilesystem.WRITABLE;
    }

    /** Field path of this container, e.g. {@code initContainers[0]} (relative to the pod spec). */
    public String fieldPath() {
        return kind.field() + "[" + index + "]";
    }

    /** Identity across an UPDATE: container names are unique per pod across all three lists. */
    public String key() {
        return kind.field() + "/" + name();
    }
}

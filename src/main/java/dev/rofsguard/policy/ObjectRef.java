package dev.rofsguard.policy;

import com.fasterxml.jackson.databind.JsonNode;

/** How an object is named in messages; handles pods made by controllers, whose name is still empty at admission. */
public record ObjectRef(String kind, String namespace, String name, String generateName, String ownerKind, String ownerName) {

    public static ObjectRef of(String kind, String namespace, JsonNode object) {
        JsonNode meta = object == null ? null : object.path("metadata");
        String name = meta == null ? "" : meta.path("name").asText("");
        String generateName = meta == null ? "" : meta.path("generateName").asText("");
        String ns = namespace != null && !namespace.isEmpty() ? namespace : (meta == null ? "" : meta.path("namespace").asText(""));
        String ownerKind = "";
        String ownerName = "";
        if (meta != null) {
            for (JsonNode owner : meta.path("ownerReferences")) {
                if (ownerKind.isEmpty() || owner.path("controller").asBoolean(false)) {
                    ownerKind = owner.path("kind").asText("");
                    ownerName = owner.path("name").asText("");
                }
            }
        }
        return new ObjectRef(kind, ns, name, generateName, ownerKind, ownerName);
    }

    /** The name, or {@code generateName*} for objects a controller is still creating. */
    public String displayName() {
        return !name.isEmpty() ? name : !generateName.isEmpty() ? generateName + "*" : "<unnamed>";
    }

    /** e.g. {@code Pod shop/web-7d9c8b6f5d-* (generateName, owned by ReplicaSet web-7d9c8b6f5d)}. */
    public String describe() {
        StringBuilder s = new StringBuilder(kind).append(' ');
        if (!namespace.isEmpty()) {
            s.append(namespace).append('/');
        }
        s.append(displayName());
        if (!ownerKind.isEmpty()) {
            s.append(" (owned by ").append(ownerKind).append(' ').append(ownerName).append(')');
        }
        return s.toString();
    }
}

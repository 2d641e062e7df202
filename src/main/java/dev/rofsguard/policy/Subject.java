package dev.rofsguard.policy;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the engine judges: one object (and, for UPDATE, the old one) with the request facts that matter.
 * Built by the admission door from an AdmissionReview and by the CLI from manifests (as CREATE).
 *
 * @param group       API group of the object's kind ("" for core)
 * @param kind        kind, e.g. {@code Pod}
 * @param subResource e.g. {@code ephemeralcontainers}, or null
 */
public record Subject(Operation operation, String group, String kind, String subResource, String namespace,
                      JsonNode object, JsonNode oldObject) {

    public static Subject create(String group, String kind, String namespace, JsonNode object) {
        return new Subject(Operation.CREATE, group, kind, null, namespace, object, null);
    }

    /**
     * An object read from a manifest or listed from a cluster, judged as a creation: group and kind from its
     * {@code apiVersion} and {@code kind}, the namespace from its metadata or else {@code defaultNamespace}.
     */
    public static Subject of(JsonNode object, String defaultNamespace) {
        String apiVersion = object.path("apiVersion").asText("");
        int slash = apiVersion.indexOf('/');
        String namespace = object.path("metadata").path("namespace").asText("");
        return create(slash < 0 ? "" : apiVersion.substring(0, slash), object.path("kind").asText(""),
                namespace.isEmpty() ? defaultNamespace : namespace, object);
    }
}

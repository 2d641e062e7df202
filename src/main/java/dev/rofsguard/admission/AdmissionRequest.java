package dev.rofsguard.admission;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rofsguard.policy.Operation;
import dev.rofsguard.policy.Subject;

/**
 * The parts of an AdmissionReview v1 {@code request} that rofs-guard reads. {@code object} and {@code oldObject}
 * stay JSON trees: they are read through the pod-spec view and patched by pointer, never re-serialised.
 */
public record AdmissionRequest(String uid, String group, String version, String kind, String subResource,
                               String name, String namespace, Operation operation, boolean dryRun,
                               JsonNode object, JsonNode oldObject) {

    /** The same request about another object (the old object stays): a patched pod sent on, as the API server does. */
    public AdmissionRequest withObject(JsonNode other) {
        return new AdmissionRequest(uid, group, version, kind, subResource, name, namespace, operation, dryRun, other, oldObject);
    }

    public Subject subject() {
        return new Subject(operation, group, kind, subResource, namespace, object, oldObject);
    }
}

package dev.rofsguard.admission;

import dev.rofsguard.mutation.MutationPlan;
import dev.rofsguard.mutation.PatchPlanner;
import dev.rofsguard.policy.Operation;
import dev.rofsguard.policy.PolicyEngine;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The mutating door's logic without the transport. Always allows: a mutation that cannot help says so and
 * leaves the judging to the validating webhook. Pod volumes and mounts are immutable after creation, so only
 * Pod CREATE and the {@code pods/ephemeralcontainers} UPDATE ({@code kubectl debug}) are patched.
 */
public final class MutatingAdmission {

    public static final String EPHEMERAL_SUBRESOURCE = "ephemeralcontainers";

    private final Supplier<PolicyEngine> engine;

    public MutatingAdmission(Supplier<PolicyEngine> engine) {
        this.engine = engine;
    }

    public AdmissionAnswer mutate(byte[] body) {
        try {
            return mutate(AdmissionReviews.parse(body));
        } catch (BadReviewException e) {
            return AdmissionAnswer.bad(e);
        }
    }

    public AdmissionAnswer mutate(AdmissionRequest request) {
        MutationPlan plan = plan(new PatchPlanner(engine.get()), request);
        Map<String, String> audit = new LinkedHashMap<>();
        if (plan != null && !plan.changes().isEmpty()) {
            StringBuilder s = new StringBuilder();
            plan.changes().forEach((container, change) -> s.append(s.length() == 0 ? "" : "; ").append(container)
                    .append(": ").append(String.join(",", change.mounted()))
                    .append(change.readOnlyRootFilesystem() ? " +readOnlyRootFilesystem" : ""));
            audit.put("mutated", s.toString());
        }
        List<String> warnings = plan == null ? List.of() : plan.warnings();
        byte[] body = AdmissionReviews.toBytes(AdmissionReviews.response(request.uid(), true, null, warnings, audit,
                plan == null ? null : plan.patch()));
        return new AdmissionAnswer(200, body, request, null, plan);
    }

    /** The plan for this request, or null when the request is not one we patch. */
    static MutationPlan plan(PatchPlanner planner, AdmissionRequest r) {
        if (!r.group().isEmpty() || !"Pod".equals(r.kind()) || r.object() == null || !r.object().isObject()) {
            return null;
        }
        if (r.operation() == Operation.CREATE && r.subResource() == null) {
            return planner.podCreate(r.object(), r.namespace());
        }
        if (r.operation() == Operation.UPDATE && EPHEMERAL_SUBRESOURCE.equals(r.subResource())) {
            return planner.ephemeralUpdate(r.object(), r.oldObject(), r.namespace());
        }
        return null;
    }
}

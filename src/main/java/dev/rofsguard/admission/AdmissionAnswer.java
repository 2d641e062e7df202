package dev.rofsguard.admission;

import dev.rofsguard.mutation.MutationPlan;
import dev.rofsguard.policy.Decision;

/**
 * What a door sends back: the HTTP status, the JSON body, and (for a review that could be read) the request and
 * the validating decision or the mutation plan, for logs and metrics.
 */
public record AdmissionAnswer(int status, byte[] body, AdmissionRequest request, Decision decision, MutationPlan plan) {

    public AdmissionAnswer(int status, byte[] body, AdmissionRequest request, Decision decision) {
        this(status, body, request, decision, null);
    }

    public static AdmissionAnswer bad(BadReviewException e) {
        return new AdmissionAnswer(e.status(), AdmissionReviews.error(e.status(), e.getMessage()), null, null, null);
    }
}

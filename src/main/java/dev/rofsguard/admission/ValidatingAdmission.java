package dev.rofsguard.admission;

import dev.rofsguard.policy.Decision;
import dev.rofsguard.policy.Mode;
import dev.rofsguard.policy.PolicyEngine;
import dev.rofsguard.policy.Verdict;
import java.util.function.Supplier;

/** The validating door's logic without the transport: bytes of an AdmissionReview in, bytes of the answer out. */
public final class ValidatingAdmission {

    private final Supplier<PolicyEngine> engine;

    /** @param engine the engine in force; a supplier so that a reloaded policy is picked up per request */
    public ValidatingAdmission(Supplier<PolicyEngine> engine) {
        this.engine = engine;
    }

    /** @param mode the mode chosen by the endpoint, or null for the configured default */
    public AdmissionAnswer validate(byte[] body, Mode mode) {
        return validate(body, mode, true);
    }

    /**
     * @param mutationRouted false when the webhook configuration routes this namespace away from the mutation
     *                       ({@code /validate/<mode>/no-mutation}); otherwise the configuration decides
     */
    public AdmissionAnswer validate(byte[] body, Mode mode, boolean mutationRouted) {
        try {
            return validate(AdmissionReviews.parse(body), mode, mutationRouted);
        } catch (BadReviewException e) {
            return AdmissionAnswer.bad(e);
        }
    }

    public AdmissionAnswer validate(AdmissionRequest request, Mode mode, boolean mutationRouted) {
        PolicyEngine current = engine.get();
        Mode effective = mode != null ? mode : current.config().defaultMode();
        Verdict verdict = current.evaluate(request.subject(), mutationRouted && current.config().mutation().enabled());
        Decision decision = Decision.decide(verdict, effective, current);
        byte[] body = AdmissionReviews.toBytes(AdmissionReviews.response(request.uid(), decision));
        return new AdmissionAnswer(200, body, request, decision);
    }
}

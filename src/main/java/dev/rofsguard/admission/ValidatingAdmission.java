package dev.rofsguard.admission;

import dev.rofsguard.engine.Judge;
import dev.rofsguard.engine.Origin;
import dev.rofsguard.policy.Decision;
import dev.rofsguard.policy.Mode;
import dev.rofsguard.policy.Verdict;
import java.util.function.Supplier;

/** The validating door without the transport: an AdmissionReview in, the answer out. It decides nothing itself. */
public final class ValidatingAdmission {

    private final Supplier<Judge> judge;

    /** @param judge the judge in force; a supplier so that a reloaded policy is picked up per request */
    public ValidatingAdmission(Supplier<Judge> judge) {
        this.judge = judge;
    }

    /**
     * @param mode           the mode chosen by the endpoint, or null for the configured default
     * @param mutationRouted false when the webhook configuration routes this namespace away from the mutation
     *                       ({@code /validate/<mode>/no-mutation}); otherwise the configuration decides
     */
    public AdmissionAnswer validate(byte[] body, Mode mode, boolean mutationRouted) {
        return validate(body, mode, mutationRouted, TreeAllowance.UNBOUNDED);
    }

    /** As {@link #validate(byte[], Mode, boolean)}, the parsed tree within the memory budget's allowance. */
    public AdmissionAnswer validate(byte[] body, Mode mode, boolean mutationRouted, TreeAllowance allowance) {
        try {
            return validate(AdmissionReviews.parse(body, allowance), mode, mutationRouted);
        } catch (BadReviewException e) {
            return AdmissionAnswer.Rejected.of(e);
        }
    }

    public AdmissionAnswer.Validated validate(AdmissionRequest request, Mode mode, boolean mutationRouted) {
        Judge current = judge.get();
        // Resolved once, here: the mode, and whether the mutation runs for this request's namespace.
        Mode effective = mode != null ? mode : current.config().defaultMode();
        Origin origin = Origin.admission(mutationRouted && current.config().mutation().enabled());
        Verdict verdict = current.judge(request.subject(), origin).verdict();
        Decision decision = Decision.decide(verdict, effective, current.config().policy());
        return new AdmissionAnswer.Validated(request, decision, AdmissionReviews.validated(request.uid(), decision));
    }
}

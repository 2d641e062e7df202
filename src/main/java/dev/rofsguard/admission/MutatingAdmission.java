package dev.rofsguard.admission;

import dev.rofsguard.engine.Judge;
import dev.rofsguard.mutation.Plan;
import java.util.function.Supplier;

/**
 * The mutating door without the transport. Always allows: a mutation that cannot help says so and leaves the
 * judging to the validating webhook.
 */
public final class MutatingAdmission {

    private final Supplier<Judge> judge;

    public MutatingAdmission(Supplier<Judge> judge) {
        this.judge = judge;
    }

    public AdmissionAnswer mutate(byte[] body) {
        return mutate(body, TreeAllowance.UNBOUNDED);
    }

    /** As {@link #mutate(byte[])}, the parsed tree within the memory budget's allowance. */
    public AdmissionAnswer mutate(byte[] body, TreeAllowance allowance) {
        try {
            return mutate(AdmissionReviews.parse(body, allowance));
        } catch (BadReviewException e) {
            return AdmissionAnswer.Rejected.of(e);
        }
    }

    public AdmissionAnswer.Mutated mutate(AdmissionRequest request) {
        Plan plan = judge.get().mutation(request.subject());
        return new AdmissionAnswer.Mutated(request, plan, AdmissionReviews.mutated(request.uid(), plan));
    }
}

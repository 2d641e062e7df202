package dev.rofsguard.engine;

import dev.rofsguard.mutation.Plan;
import dev.rofsguard.policy.Verdict;

/**
 * The judge's answer for one object.
 *
 * @param verdict the verdict on the object as it will be admitted (after the mutation where that runs)
 * @param plan    the mutation of its pod spec, as values: what the verdict counted on, or (for reports) the catalog's
 *                advice; {@link Plan#NONE} when the catalog has nothing to add
 * @param applied whether the verdict counted on the plan (the mutating webhook will apply it before the object's
 *                pods run); a passing object whose plan was applied "passes after admission", not as written
 */
public record Judgement(Verdict verdict, Plan plan, boolean applied) {

    /** Passes only because rofs-guard's mutation will change its pods at admission. */
    public boolean passesAfterAdmission() {
        return applied && !plan.changes().isEmpty() && verdict.outcome() == dev.rofsguard.policy.Outcome.PASS;
    }
}

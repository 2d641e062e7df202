package dev.rofsguard.engine;

import dev.rofsguard.mutation.Plan;
import dev.rofsguard.policy.Verdict;

/**
 * The judge's answer for one object.
 *
 * @param verdict the verdict on the object as it will be admitted (after the mutation where that runs)
 * @param plan    the mutation of its pod spec, as values: what the verdict counted on, or (for reports) the catalog's
 *                advice; {@link Plan#NONE} when the catalog has nothing to add
 */
public record Judgement(Verdict verdict, Plan plan) {
}

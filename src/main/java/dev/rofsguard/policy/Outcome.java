package dev.rofsguard.policy;

import java.util.Locale;

/** The explicit result of evaluating one object. */
public enum Outcome {
    /** Every container that counts is compliant (or will be made so by the mutation). */
    PASS,
    /** At least one violation. */
    FAIL,
    /** Not evaluated, with a reason: not a workload, exempt, Windows, an operation that is not judged. */
    SKIP,
    /** The object could not be read as its kind requires; see the reason. */
    ERROR;

    private final String label = name().toLowerCase(Locale.ROOT);

    public String label() {
        return label;
    }
}

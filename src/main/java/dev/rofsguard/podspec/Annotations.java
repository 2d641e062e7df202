package dev.rofsguard.podspec;

/** Annotation and label keys of the project, in one place. */
public final class Annotations {

    public static final String PREFIX = "rofs-guard.dev/";
    /** On a pod or pod template: exempt with this reason (an empty reason exempts nothing). */
    public static final String EXEMPT = PREFIX + "exempt";
    /** Written by the mutation on the pod: which containers got which emptyDir paths and the flag (JSON). */
    public static final String MUTATED = PREFIX + "mutated";

    private Annotations() {
    }
}

package dev.rofsguard.cli;

/** Exit codes of every CLI command, documented in README. */
public final class ExitCodes {

    /** Nothing to fix (or the mode does not fail: warn, audit). */
    public static final int OK = 0;
    /** Violations found in enforce mode (review: the request would be denied). */
    public static final int VIOLATIONS = 1;
    /** Usage or input error: bad option, unreadable file, invalid AdmissionReview, broken config. */
    public static final int USAGE = 2;

    private ExitCodes() {
    }
}

package dev.rofsguard.report;

/**
 * The outcome a report shows for one object: the verdict's outcome, with a passing verdict that counted on
 * rofs-guard's mutation shown apart ("passes after admission": true only where the mutating webhook runs).
 * Rendering only: both facts come from the judge.
 */
public enum ReportOutcome {
    FAIL("fail", "failed"),
    ERROR("error", "errors"),
    PASSES_AFTER_ADMISSION("passes-after-admission", "pass after admission"),
    PASS("pass", "passed"),
    SKIP("skip", "skipped");

    private final String label;
    private final String counted;

    ReportOutcome(String label, String counted) {
        this.label = label;
        this.counted = counted;
    }

    /** Stable identifier in machine formats (JSON, JUnit properties, PolicyReport properties). */
    public String label() {
        return label;
    }

    /** As counted in a sentence: "2 failed, 1 pass after admission". */
    public String counted() {
        return counted;
    }

    public static ReportOutcome of(AuditedObject o) {
        return switch (o.verdict().outcome()) {
            case FAIL -> FAIL;
            case ERROR -> ERROR;
            case SKIP -> SKIP;
            case PASS -> o.passesAfterAdmission() ? PASSES_AFTER_ADMISSION : PASS;
        };
    }
}

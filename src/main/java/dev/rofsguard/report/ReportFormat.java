package dev.rofsguard.report;

import java.util.Locale;

/** Output formats of {@code audit}. */
public enum ReportFormat {
    TEXT, JSON, SARIF, JUNIT;

    public static ReportFormat parse(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }
}

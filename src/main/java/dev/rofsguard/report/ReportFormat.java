package dev.rofsguard.report;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Output formats of {@code audit}. */
public enum ReportFormat {
    TEXT, JSON, SARIF, JUNIT, POLICYREPORT;

    public static ReportFormat parse(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }

    public static String names() {
        return Arrays.stream(values()).map(f -> f.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "));
    }
}

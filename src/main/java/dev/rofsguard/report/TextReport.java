package dev.rofsguard.report;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * For people: the summary first (by outcome, by namespace, by image), then the findings grouped by file, then each
 * distinct fix once. Input errors are not here: the door writes them to stderr.
 */
public final class TextReport {

    private TextReport() {
    }

    /** Colour or not, Unicode punctuation. */
    public static String render(AuditReport report, boolean colour) {
        return render(report, new Paint(colour, true));
    }

    public static String render(AuditReport report, Paint p) {
        StringBuilder s = new StringBuilder();
        summary(report, p, s);
        Map<String, Integer> fixes = new LinkedHashMap<>();
        StringBuilder details = new StringBuilder();
        String lastSource = null;
        for (AuditedObject o : report.objects()) {
            boolean interesting = !o.findings().isEmpty() || !o.allNotes().isEmpty() || !o.verdict().exemptions().isEmpty()
                    || o.outcome() == ReportOutcome.ERROR;
            if (!interesting) {
                continue;
            }
            if (!o.document().source().equals(lastSource)) {
                lastSource = o.document().source();
                details.append(p.bold(p.text(lastSource))).append('\n');
            }
            details.append("  ").append(o.document().line() > 0 ? o.document().line() + ": " : "").append(p.text(o.kind() + " "
                    + (o.namespace().isEmpty() ? "" : o.namespace() + "/") + o.name())).append(' ').append(p.dash()).append(' ')
                    .append(outcome(o.outcome(), p)).append(": ").append(p.text(o.verdict().reason())).append('\n');
            for (Finding f : o.findings()) {
                int fix = fixes.computeIfAbsent(f.fix(), k -> fixes.size() + 1);
                details.append("    ").append(p.red(p.text((f.containerLine() > 0 ? f.containerLine() + ": " : "") + f.containerKind()
                        + " \"" + f.container() + "\" " + f.problem() + " [" + f.rule().id() + "]")))
                        .append(p.dim(" fix " + fix + " at " + f.fieldPath())).append('\n');
            }
            o.verdict().exemptions().forEach(e -> details.append("    ").append(p.yellow(p.text("exempt: " + e.describe()))).append('\n'));
            o.allNotes().forEach(n -> details.append("    ").append(p.yellow(p.text("note: " + n))).append('\n'));
        }
        if (details.length() > 0) {
            s.append('\n').append(details);
        }
        if (!fixes.isEmpty()) {
            s.append('\n').append(p.bold("Fixes")).append(" (each once; the findings above name theirs)\n");
            fixes.forEach((text, n) -> {
                s.append("  fix ").append(n).append(":\n");
                text.lines().forEach(l -> s.append("    ").append(p.dim(p.text(l))).append('\n'));
            });
        }
        return s.toString();
    }

    /** {@code --quiet}: one line per finding, nothing else (the exit code says the rest). */
    public static String quiet(AuditReport report, Paint p) {
        StringBuilder s = new StringBuilder();
        for (Finding f : report.findings()) {
            s.append(p.text(f.source() + ":" + f.containerLine() + ": " + f.object() + ": " + f.containerKind() + " \""
                    + f.container() + "\" " + f.problem() + " [" + f.rule().id() + "]")).append('\n');
        }
        for (AuditedObject o : report.objects()) {
            if (o.outcome() == ReportOutcome.ERROR) {
                s.append(p.text(o.document().source() + ":" + o.document().line() + ": " + o.id() + ": " + o.verdict().reason())).append('\n');
            }
        }
        return s.toString();
    }

    private static void summary(AuditReport report, Paint p, StringBuilder s) {
        s.append(p.bold(report.objects().size() + " workload objects")).append(" (mode ").append(report.mode().label()).append("): ");
        List<String> parts = new ArrayList<>();
        for (ReportOutcome o : ReportOutcome.values()) {
            parts.add(outcomeCount(o, report.count(o), p));
        }
        s.append(String.join(", ", parts)).append("; ").append(report.findings().size()).append(" findings\n");
        List<String> others = new ArrayList<>();
        others.add(report.notWorkloads() + " other documents skipped");
        if (report.folded() > 0) {
            others.add(report.folded() + " owned objects folded under their owners");
        }
        others.add(report.errors().size() + " input errors" + (report.errors().isEmpty() ? "" : " (on stderr)"));
        s.append("  ").append(String.join("; ", others)).append('\n');
        if (report.count(ReportOutcome.PASSES_AFTER_ADMISSION) > 0) {
            s.append("  ").append(p.text("pass after admission: compliant only once rofs-guard's mutating webhook has added "
                    + "the catalog's volumes and the flag; they fail where it does not run (audit --no-mutation)")).append('\n');
        }
        Map<String, Map<ReportOutcome, Integer>> byNamespace = new TreeMap<>();
        for (AuditedObject o : report.objects()) {
            byNamespace.computeIfAbsent(o.namespace().isEmpty() ? "(no namespace)" : o.namespace(), k -> new EnumMap<>(ReportOutcome.class))
                    .merge(o.outcome(), 1, Integer::sum);
        }
        if (!byNamespace.isEmpty()) {
            s.append("  by namespace:\n");
            byNamespace.forEach((ns, counts) -> {
                List<String> c = new ArrayList<>();
                counts.forEach((o, n) -> c.add(outcomeCount(o, n, p)));
                s.append("    ").append(p.text(ns)).append(": ").append(String.join(", ", c)).append('\n');
            });
        }
        Map<String, int[]> byImage = new TreeMap<>();
        for (Finding f : report.findings()) {
            byImage.computeIfAbsent(f.image(), k -> new int[2])[0]++;
        }
        for (AuditedObject o : report.objects()) {
            if (o.outcome() == ReportOutcome.PASSES_AFTER_ADMISSION) {
                o.plan().changes().values().forEach(c -> byImage.computeIfAbsent("catalog entry " + c.entry(), k -> new int[2])[1]++);
            }
        }
        if (!byImage.isEmpty()) {
            s.append("  by image:\n");
            byImage.forEach((image, n) -> s.append("    ").append(p.text(image)).append(": ")
                    .append(n[0] > 0 ? n[0] + " findings" : "").append(n[0] > 0 && n[1] > 0 ? ", " : "")
                    .append(n[1] > 0 ? n[1] + " containers pass after admission" : "").append('\n'));
        }
    }

    private static String outcomeCount(ReportOutcome o, long n, Paint p) {
        String text = n + " " + o.counted();
        if (n == 0) {
            return text;
        }
        return switch (o) {
            case FAIL, ERROR -> p.red(text);
            case PASSES_AFTER_ADMISSION -> p.yellow(text);
            case PASS -> p.green(text);
            case SKIP -> text;
        };
    }

    private static String outcome(ReportOutcome o, Paint p) {
        return switch (o) {
            case FAIL, ERROR -> p.red(o.label());
            case PASSES_AFTER_ADMISSION -> p.yellow(o.label());
            default -> o.label();
        };
    }
}

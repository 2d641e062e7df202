package dev.rofsguard.report;

import dev.rofsguard.manifest.ManifestError;
import dev.rofsguard.policy.Outcome;

/** Grouped, readable; colour only when asked (on a terminal). */
public final class TextReport {

    private TextReport() {
    }

    public static String render(AuditReport report, boolean colour) {
        String red = colour ? "\u001b[31m" : "";
        String yellow = colour ? "\u001b[33m" : "";
        String dim = colour ? "\u001b[2m" : "";
        String reset = colour ? "\u001b[0m" : "";
        StringBuilder s = new StringBuilder();
        String lastSource = null;
        for (AuditedObject o : report.objects()) {
            boolean interesting = !o.findings().isEmpty() || !o.verdict().notes().isEmpty() || !o.verdict().exemptions().isEmpty()
                    || o.verdict().outcome() == Outcome.ERROR;
            if (!interesting) {
                continue;
            }
            if (!o.document().source().equals(lastSource)) {
                lastSource = o.document().source();
                s.append(lastSource).append('\n');
            }
            s.append("  ").append(o.document().line() > 0 ? o.document().line() + ": " : "").append(o.kind()).append(' ')
                    .append(o.namespace().isEmpty() ? "" : o.namespace() + "/").append(o.name()).append(" — ")
                    .append(o.verdict().outcome() == Outcome.FAIL ? red : "").append(o.verdict().outcome().label())
                    .append(reset).append(": ").append(o.verdict().reason()).append('\n');
            for (Finding f : o.findings()) {
                s.append("    ").append(red).append(f.containerLine() > 0 ? f.containerLine() + ": " : "").append(f.containerKind()).append(" \"")
                        .append(f.container()).append("\" ").append(f.problem()).append(" [").append(f.rule().id()).append("]").append(reset).append('\n');
                s.append(dim).append("      fix (").append(f.fieldPath()).append("):\n");
                f.fix().lines().forEach(l -> s.append("        ").append(l).append('\n'));
                s.append(reset);
            }
            o.verdict().exemptions().forEach(e -> s.append("    ").append(yellow).append("exempt: ").append(e.describe()).append(reset).append('\n'));
            o.verdict().notes().forEach(n -> s.append("    ").append(yellow).append("note: ").append(n).append(reset).append('\n'));
        }
        for (ManifestError e : report.errors()) {
            s.append(red).append(e.source()).append(':').append(e.line()).append(": ").append(e.message()).append(reset).append('\n');
        }
        s.append(report.objects().size()).append(" workload objects: ").append(report.count(Outcome.FAIL)).append(" failed, ")
                .append(report.count(Outcome.PASS)).append(" passed, ").append(report.count(Outcome.SKIP)).append(" skipped, ")
                .append(report.count(Outcome.ERROR)).append(" errors; ").append(report.findings().size()).append(" findings; ")
                .append(report.notWorkloads()).append(" other documents skipped; ")
                .append(report.folded() > 0 ? report.folded() + " owned objects folded under their owners; " : "")
                .append(report.errors().size())
                .append(" input errors (mode ").append(report.mode().label()).append(")\n");
        return s.toString();
    }
}

package dev.rofsguard.report;

import dev.rofsguard.manifest.ManifestError;
import dev.rofsguard.policy.Outcome;

/** JUnit XML for CI test reports: one test case per workload object, one error case per input error. */
public final class JunitReport {

    private JunitReport() {
    }

    public static String render(AuditReport report) {
        long failures = report.count(Outcome.FAIL) + report.count(Outcome.ERROR);
        long skipped = report.count(Outcome.SKIP);
        int tests = report.objects().size() + report.errors().size();
        StringBuilder s = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        s.append("<testsuites name=\"rofs-guard\" tests=\"").append(tests).append("\" failures=\"").append(failures)
                .append("\" errors=\"").append(report.errors().size()).append("\" skipped=\"").append(skipped).append("\">\n");
        s.append("  <testsuite name=\"rofs-guard audit (").append(report.mode().label()).append(")\" tests=\"").append(tests)
                .append("\" failures=\"").append(failures).append("\" errors=\"").append(report.errors().size())
                .append("\" skipped=\"").append(skipped).append("\">\n");
        for (AuditedObject o : report.objects()) {
            s.append("    <testcase classname=\"").append(xml(o.document().source())).append("\" name=\"")
                    .append(xml(o.kind() + " " + (o.namespace().isEmpty() ? "" : o.namespace() + "/") + o.name()
                            + " (line " + o.document().line() + ")")).append("\"");
            switch (o.verdict().outcome()) {
                case PASS -> s.append("/>\n");
                case SKIP -> s.append(">\n      <skipped message=\"").append(xml(o.verdict().reason())).append("\"/>\n    </testcase>\n");
                default -> {
                    StringBuilder body = new StringBuilder();
                    for (Finding f : o.findings()) {
                        body.append("line ").append(f.containerLine()).append(": ").append(f.containerKind()).append(" \"")
                                .append(f.container()).append("\" ").append(f.problem()).append("\nfix:\n").append(f.fix()).append("\n\n");
                    }
                    s.append(">\n      <failure type=\"").append(SarifReport.RULE_ID).append("\" message=\"")
                            .append(xml(o.verdict().reason())).append("\">").append(xml(body.toString())).append("</failure>\n    </testcase>\n");
                }
            }
        }
        for (ManifestError e : report.errors()) {
            s.append("    <testcase classname=\"").append(xml(e.source())).append("\" name=\"document at line ").append(e.line())
                    .append("\">\n      <error type=\"input\" message=\"").append(xml(e.message())).append("\"/>\n    </testcase>\n");
        }
        return s.append("  </testsuite>\n</testsuites>\n").toString();
    }

    static String xml(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                default -> {
                    if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') {
                        out.append(' '); // not allowed in XML 1.0
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}

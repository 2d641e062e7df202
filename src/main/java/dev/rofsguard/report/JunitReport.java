package dev.rofsguard.report;

import dev.rofsguard.manifest.ManifestError;
import dev.rofsguard.policy.ContainerRule;
import java.io.StringWriter;
import java.util.List;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/** JUnit XML for CI test reports (StAX escapes): one test case per workload object and rule, one error case per input error. */
public final class JunitReport {

    private static final XMLOutputFactory XML = XMLOutputFactory.newFactory();

    private JunitReport() {
    }

    /**
     * One test case per object and rule: {@code classname} the object's stable id ({@code Deployment/shop/web}),
     * {@code name} the rule; no line numbers in either, so CI keeps a test's history across edits of the file
     * (the file and line are attributes, as pytest writes them).
     */
    public static String render(AuditReport report) {
        int rules = report.rules().size();
        long failures = report.objects().stream().filter(o -> o.outcome() == ReportOutcome.FAIL)
                .mapToLong(o -> o.findings().stream().map(f -> f.rule().id()).distinct().count()).sum();
        long errors = report.count(ReportOutcome.ERROR) * rules + report.errors().size();
        long skipped = report.count(ReportOutcome.SKIP) * rules;
        long tests = (long) report.objects().size() * rules + report.errors().size();
        StringWriter out = new StringWriter();
        try {
            XMLStreamWriter x = XML.createXMLStreamWriter(out);
            x.writeStartDocument("UTF-8", "1.0");
            x.writeCharacters("\n");
            x.writeStartElement("testsuites");
            counts(x, "rofs-guard", tests, failures, errors, skipped);
            x.writeCharacters("\n  ");
            x.writeStartElement("testsuite");
            counts(x, "rofs-guard audit (" + report.mode().label() + ")", tests, failures, errors, skipped);
            // JUnit has no outcome beside pass/fail/error/skip: the suite's properties count objects by report outcome
            x.writeCharacters("\n    ");
            x.writeStartElement("properties");
            for (ReportOutcome outcome : ReportOutcome.values()) {
                x.writeCharacters("\n      ");
                x.writeEmptyElement("property");
                attr(x, "name", "objects." + outcome.label());
                attr(x, "value", String.valueOf(report.count(outcome)));
            }
            x.writeCharacters("\n    ");
            x.writeEndElement();
            for (AuditedObject o : report.objects()) {
                for (ContainerRule rule : report.rules()) {
                    testCase(x, o, rule);
                }
            }
            for (ManifestError e : report.errors()) {
                x.writeCharacters("\n    ");
                x.writeStartElement("testcase");
                attr(x, "classname", "input/" + e.source());
                attr(x, "name", "readable manifest");
                attr(x, "file", e.source());
                attr(x, "line", String.valueOf(e.line()));
                x.writeCharacters("\n      ");
                x.writeEmptyElement("error");
                attr(x, "type", "input");
                attr(x, "message", (e.line() > 0 ? "line " + e.line() + ": " : "") + e.message());
                x.writeCharacters("\n    ");
                x.writeEndElement();
            }
            x.writeCharacters("\n  ");
            x.writeEndElement();
            x.writeCharacters("\n");
            x.writeEndElement();
            x.writeCharacters("\n");
            x.writeEndDocument();
            x.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("JUnit XML could not be written", e);
        }
        return out.toString();
    }

    private static void testCase(XMLStreamWriter x, AuditedObject o, ContainerRule rule) throws XMLStreamException {
        x.writeCharacters("\n    ");
        x.writeStartElement("testcase");
        attr(x, "classname", o.id());
        attr(x, "name", rule.id());
        attr(x, "file", o.document().source());
        attr(x, "line", String.valueOf(o.document().line()));
        x.writeCharacters("\n      ");
        x.writeStartElement("properties");
        x.writeEmptyElement("property");
        attr(x, "name", "outcome");
        attr(x, "value", o.outcome().label());
        x.writeEndElement();
        List<Finding> findings = o.findings().stream().filter(f -> f.rule().id().equals(rule.id())).toList();
        switch (o.outcome()) {
            case PASS -> { }
            case PASSES_AFTER_ADMISSION -> {
                x.writeCharacters("\n      ");
                x.writeStartElement("system-out");
                x.writeCharacters(xml10("passes after admission: " + String.join("\n", o.allNotes())));
                x.writeEndElement();
            }
            case SKIP -> {
                x.writeCharacters("\n      ");
                x.writeEmptyElement("skipped");
                attr(x, "message", o.verdict().reason());
            }
            case ERROR -> {
                x.writeCharacters("\n      ");
                x.writeEmptyElement("error");
                attr(x, "type", "object");
                attr(x, "message", o.verdict().reason());
            }
            case FAIL -> {
                if (!findings.isEmpty()) {
                    StringBuilder body = new StringBuilder();
                    for (Finding f : findings) {
                        body.append(f.source()).append(':').append(f.containerLine()).append(": ").append(f.containerKind()).append(" \"")
                                .append(f.container()).append("\" ").append(f.problem()).append("\nfix:\n").append(f.fix()).append("\n\n");
                    }
                    x.writeCharacters("\n      ");
                    x.writeStartElement("failure");
                    attr(x, "type", rule.qualifiedId());
                    attr(x, "message", o.verdict().reason());
                    x.writeCharacters(xml10(body.toString()));
                    x.writeEndElement();
                }
            }
        }
        x.writeCharacters("\n    ");
        x.writeEndElement();
    }

    private static void counts(XMLStreamWriter x, String name, long tests, long failures, long errors, long skipped)
            throws XMLStreamException {
        attr(x, "name", name);
        attr(x, "tests", String.valueOf(tests));
        attr(x, "failures", String.valueOf(failures));
        attr(x, "errors", String.valueOf(errors));
        attr(x, "skipped", String.valueOf(skipped));
    }

    private static void attr(XMLStreamWriter x, String name, String value) throws XMLStreamException {
        x.writeAttribute(name, xml10(value));
    }

    /** StAX escapes markup but cannot write the control characters XML 1.0 forbids: they become spaces. */
    static String xml10(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            out.append(c < 0x20 && c != '\n' && c != '\t' && c != '\r' ? ' ' : c);
        }
        return out.toString();
    }
}

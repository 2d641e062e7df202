package dev.rofsguard.report;

import dev.rofsguard.manifest.ManifestError;
import dev.rofsguard.policy.Outcome;
import java.io.StringWriter;
import java.util.stream.Collectors;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/** JUnit XML for CI test reports (StAX escapes): one test case per workload object, one error case per input error. */
public final class JunitReport {

    private static final XMLOutputFactory XML = XMLOutputFactory.newFactory();

    private JunitReport() {
    }

    public static String render(AuditReport report) {
        long failures = report.count(Outcome.FAIL) + report.count(Outcome.ERROR);
        long skipped = report.count(Outcome.SKIP);
        int tests = report.objects().size() + report.errors().size();
        StringWriter out = new StringWriter();
        try {
            XMLStreamWriter x = XML.createXMLStreamWriter(out);
            x.writeStartDocument("UTF-8", "1.0");
            x.writeCharacters("\n");
            x.writeStartElement("testsuites");
            counts(x, "rofs-guard", tests, failures, report.errors().size(), skipped);
            x.writeCharacters("\n  ");
            x.writeStartElement("testsuite");
            counts(x, "rofs-guard audit (" + report.mode().label() + ")", tests, failures, report.errors().size(), skipped);
            for (AuditedObject o : report.objects()) {
                x.writeCharacters("\n    ");
                x.writeStartElement("testcase");
                attr(x, "classname", o.document().source());
                attr(x, "name", o.kind() + " " + (o.namespace().isEmpty() ? "" : o.namespace() + "/") + o.name()
                        + " (line " + o.document().line() + ")");
                switch (o.verdict().outcome()) {
                    case PASS -> { }
                    case SKIP -> {
                        x.writeCharacters("\n      ");
                        x.writeEmptyElement("skipped");
                        attr(x, "message", o.verdict().reason());
                        x.writeCharacters("\n    ");
                    }
                    default -> {
                        StringBuilder body = new StringBuilder();
                        for (Finding f : o.findings()) {
                            body.append("line ").append(f.containerLine()).append(": ").append(f.containerKind()).append(" \"")
                                    .append(f.container()).append("\" ").append(f.problem()).append("\nfix:\n").append(f.fix()).append("\n\n");
                        }
                        x.writeCharacters("\n      ");
                        x.writeStartElement("failure");
                        attr(x, "type", o.findings().stream().map(f -> f.rule().qualifiedId()).distinct()
                                .collect(Collectors.joining(" ")));
                        attr(x, "message", o.verdict().reason());
                        x.writeCharacters(xml10(body.toString()));
                        x.writeEndElement();
                        x.writeCharacters("\n    ");
                    }
                }
                x.writeEndElement();
            }
            for (ManifestError e : report.errors()) {
                x.writeCharacters("\n    ");
                x.writeStartElement("testcase");
                attr(x, "classname", e.source());
                attr(x, "name", "document at line " + e.line());
                x.writeCharacters("\n      ");
                x.writeEmptyElement("error");
                attr(x, "type", "input");
                attr(x, "message", e.message());
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

package dev.rofsguard.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rofsguard.manifest.ManifestError;
import dev.rofsguard.policy.Outcome;

/** Machine-readable: every object with its outcome, every finding, every input error. */
public final class JsonReport {

    private JsonReport() {
    }

    public static ObjectNode render(AuditReport report) {
        JsonNodeFactory n = JsonNodeFactory.instance;
        ObjectNode root = n.objectNode();
        root.put("mode", report.mode().label());
        ObjectNode summary = root.putObject("summary");
        summary.put("objects", report.objects().size());
        for (Outcome o : Outcome.values()) {
            summary.put(o.label(), report.count(o));
        }
        summary.put("findings", report.findings().size());
        summary.put("notWorkloads", report.notWorkloads());
        summary.put("foldedUnderOwners", report.folded());
        summary.put("inputErrors", report.errors().size());
        ArrayNode objects = root.putArray("objects");
        for (AuditedObject o : report.objects()) {
            ObjectNode j = objects.addObject();
            j.put("source", o.document().source()).put("line", o.document().line()).put("kind", o.kind())
                    .put("namespace", o.namespace()).put("name", o.name()).put("outcome", o.verdict().outcome().label())
                    .put("reason", o.verdict().reason());
            ArrayNode notes = j.putArray("notes");
            o.verdict().notes().forEach(notes::add);
            ArrayNode exemptions = j.putArray("exemptions");
            o.verdict().exemptions().forEach(e -> exemptions.addObject().put("kind", e.kind().label())
                    .put("container", e.container()).put("detail", e.detail()));
        }
        ArrayNode findings = root.putArray("findings");
        for (Finding f : report.findings()) {
            ObjectNode j = findings.addObject();
            j.put("rule", f.rule().id()).put("source", f.source()).put("line", f.line()).put("containerLine", f.containerLine()).put("kind", f.kind())
                    .put("namespace", f.namespace()).put("name", f.name()).put("container", f.container())
                    .put("containerKind", f.containerKind()).put("image", f.image()).put("field", f.fieldPath())
                    .put("problem", f.problem()).put("catalogEntry", f.catalogEntry());
            ArrayNode paths = j.putArray("emptyDirPaths");
            f.scratchPaths().forEach(paths::add);
            j.put("fix", f.fix());
        }
        ArrayNode errors = root.putArray("errors");
        for (ManifestError e : report.errors()) {
            errors.addObject().put("source", e.source()).put("line", e.line()).put("message", e.message());
        }
        return root;
    }
}

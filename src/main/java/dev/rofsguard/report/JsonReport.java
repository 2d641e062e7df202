package dev.rofsguard.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rofsguard.manifest.ManifestError;

/** Machine-readable: every object with its outcome, every finding, every input error. */
public final class JsonReport {

    /**
     * Version of this document's shape. 1 (rofs-guard 0.2.0): the first versioned shape; outcomes gained
     * {@code passes-after-admission} (and {@code summary.passesAfterAdmission}). Raised on any change that can
     * break a reader (a field removed, renamed or retyped, a new outcome); new fields alone do not raise it.
     */
    public static final int SCHEMA_VERSION = 1;

    private JsonReport() {
    }

    public static ObjectNode render(AuditReport report) {
        JsonNodeFactory n = JsonNodeFactory.instance;
        ObjectNode root = n.objectNode();
        root.put("schemaVersion", SCHEMA_VERSION);
        root.put("mode", report.mode().label());
        ObjectNode summary = root.putObject("summary");
        summary.put("objects", report.objects().size());
        summary.put("pass", report.count(ReportOutcome.PASS));
        summary.put("passesAfterAdmission", report.count(ReportOutcome.PASSES_AFTER_ADMISSION));
        summary.put("fail", report.count(ReportOutcome.FAIL));
        summary.put("skip", report.count(ReportOutcome.SKIP));
        summary.put("error", report.count(ReportOutcome.ERROR));
        summary.put("findings", report.findings().size());
        summary.put("notWorkloads", report.notWorkloads());
        summary.put("foldedUnderOwners", report.folded());
        summary.put("inputErrors", report.errors().size());
        ArrayNode objects = root.putArray("objects");
        for (AuditedObject o : report.objects()) {
            ObjectNode j = objects.addObject();
            j.put("id", o.id()).put("source", o.document().source()).put("line", o.document().line()).put("apiVersion", o.apiVersion())
                    .put("kind", o.kind()).put("namespace", o.namespace()).put("name", o.name()).put("outcome", o.outcome().label())
                    .put("reason", o.verdict().reason());
            ArrayNode notes = j.putArray("notes");
            o.allNotes().forEach(notes::add);
            ArrayNode exemptions = j.putArray("exemptions");
            o.verdict().exemptions().forEach(e -> exemptions.addObject().put("kind", e.kind().label())
                    .put("container", e.container()).put("detail", e.detail()));
            ArrayNode mutation = j.putArray("mutationCountedOn");
            if (o.outcome() == ReportOutcome.PASSES_AFTER_ADMISSION) {
                o.plan().changes().forEach((container, c) -> {
                    ObjectNode m = mutation.addObject().put("container", container).put("catalogEntry", c.entry())
                            .put("readOnlyRootFilesystem", c.readOnlyRootFilesystem());
                    ArrayNode paths = m.putArray("emptyDirPaths");
                    c.mounted().forEach(paths::add);
                });
            }
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

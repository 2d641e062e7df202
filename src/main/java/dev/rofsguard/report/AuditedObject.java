package dev.rofsguard.report;

import dev.rofsguard.engine.Judgement;
import dev.rofsguard.manifest.Document;
import dev.rofsguard.mutation.Plan;
import dev.rofsguard.policy.Verdict;
import dev.rofsguard.policy.Violation;
import java.util.ArrayList;
import java.util.List;

/**
 * One workload object of a manifest (or a live object of a cluster), with its verdict, plan and findings.
 *
 * @param notes what the door adds about how it read the object (e.g. a removed apiVersion), beside the verdict's notes
 */
public record AuditedObject(Document document, String kind, String namespace, String name, Verdict verdict,
                            Plan plan, boolean passesAfterAdmission, List<Finding> findings, List<String> notes) {

    public AuditedObject {
        findings = List.copyOf(findings);
        notes = List.copyOf(notes);
    }

    public AuditedObject(Document document, String kind, String namespace, String name, Verdict verdict,
                         Plan plan, boolean passesAfterAdmission, List<Finding> findings) {
        this(document, kind, namespace, name, verdict, plan, passesAfterAdmission, findings, List.of());
    }

    /** What a report shows of a judgement: the verdict, and a finding (with its location and fix) per violation. */
    public static AuditedObject of(Document d, Judgement j) {
        return of(d, j, List.of());
    }

    public static AuditedObject of(Document d, Judgement j, List<String> notes) {
        Verdict v = j.verdict();
        List<Finding> findings = new ArrayList<>();
        for (Violation violation : v.violations()) {
            findings.add(Finding.of(d, v.object().kind(), v.object().namespace(), v.object().displayName(), violation, j.plan()));
        }
        return new AuditedObject(d, v.object().kind(), v.object().namespace(), v.object().displayName(), v, j.plan(),
                j.passesAfterAdmission(), findings, notes);
    }

    public ReportOutcome outcome() {
        return ReportOutcome.of(this);
    }

    /** A stable id across edits of the file (no line number): {@code Deployment/shop/web}. */
    public String id() {
        return kind + "/" + (namespace.isEmpty() ? "-" : namespace) + "/" + name;
    }

    /** The verdict's notes, then the door's. */
    public List<String> allNotes() {
        List<String> all = new ArrayList<>(verdict.notes());
        all.addAll(notes);
        return all;
    }

    /** The object's apiVersion as written (empty for objects reported without it). */
    public String apiVersion() {
        return document.object().path("apiVersion").asText("");
    }
}

package dev.rofsguard.report;

import dev.rofsguard.engine.Judgement;
import dev.rofsguard.manifest.Document;
import dev.rofsguard.mutation.Plan;
import dev.rofsguard.policy.Verdict;
import dev.rofsguard.policy.Violation;
import java.util.ArrayList;
import java.util.List;

/** One workload object of a manifest (or a live object of a cluster), with its verdict, plan and findings. */
public record AuditedObject(Document document, String kind, String namespace, String name, Verdict verdict,
                            Plan plan, boolean passesAfterAdmission, List<Finding> findings) {

    /** What a report shows of a judgement: the verdict, and a finding (with its location and fix) per violation. */
    public static AuditedObject of(Document d, Judgement j) {
        Verdict v = j.verdict();
        List<Finding> findings = new ArrayList<>();
        for (Violation violation : v.violations()) {
            findings.add(Finding.of(d, v.object().kind(), v.object().namespace(), v.object().displayName(), violation, j.plan()));
        }
        return new AuditedObject(d, v.object().kind(), v.object().namespace(), v.object().displayName(), v, j.plan(),
                j.passesAfterAdmission(), findings);
    }
}

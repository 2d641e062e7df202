package dev.rofsguard.report;

import dev.rofsguard.manifest.ManifestError;
import dev.rofsguard.policy.Mode;
import dev.rofsguard.policy.Outcome;
import java.util.List;

/**
 * The result of an audit.
 *
 * @param notWorkloads documents that are not workloads (ConfigMaps, Services, …): skipped and counted
 * @param folded       live objects a listed controller owns (judged through its template): skipped and counted
 */
public record AuditReport(Mode mode, List<AuditedObject> objects, List<ManifestError> errors, int notWorkloads, int folded) {

    public AuditReport(Mode mode, List<AuditedObject> objects, List<ManifestError> errors, int notWorkloads) {
        this(mode, objects, errors, notWorkloads, 0);
    }

    public long count(Outcome outcome) {
        return objects.stream().filter(o -> o.verdict().outcome() == outcome).count();
    }

    public List<Finding> findings() {
        return objects.stream().flatMap(o -> o.findings().stream()).toList();
    }

    public boolean hasViolations() {
        return count(Outcome.FAIL) > 0 || count(Outcome.ERROR) > 0;
    }
}

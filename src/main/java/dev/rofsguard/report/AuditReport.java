package dev.rofsguard.report;

import dev.rofsguard.manifest.ManifestError;
import dev.rofsguard.policy.Mode;
import dev.rofsguard.policy.Outcome;
import dev.rofsguard.engine.Judge;
import dev.rofsguard.engine.Origin;
import dev.rofsguard.manifest.Document;
import dev.rofsguard.policy.Subject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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

    /**
     * Judges every document from this origin; documents that carry no pod spec are counted, not judged.
     *
     * @param defaultNamespace the namespace of objects that name none
     */
    public static AuditReport of(Judge judge, List<Document> documents, List<ManifestError> errors, Mode mode,
                                 Origin origin, String defaultNamespace) {
        List<AuditedObject> objects = new ArrayList<>();
        int notWorkloads = 0;
        for (Document d : documents) {
            Optional<AuditedObject> o = audit(judge, d, origin, defaultNamespace);
            if (o.isPresent()) {
                objects.add(o.get());
            } else {
                notWorkloads++;
            }
        }
        return new AuditReport(mode, objects, errors, notWorkloads);
    }

    /** One document: empty when it carries no pod spec. */
    public static Optional<AuditedObject> audit(Judge judge, Document d, Origin origin, String defaultNamespace) {
        Subject subject = Subject.of(d.object(), defaultNamespace);
        if (!judge.judges(subject)) {
            return Optional.empty();
        }
        return Optional.of(AuditedObject.of(d, judge.judge(subject, origin)));
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

package dev.rofsguard.report;

import dev.rofsguard.engine.Judge;
import dev.rofsguard.engine.Origin;
import dev.rofsguard.manifest.Document;
import dev.rofsguard.manifest.LegacyApis;
import dev.rofsguard.manifest.ManifestError;
import dev.rofsguard.policy.ContainerRule;
import dev.rofsguard.policy.Mode;
import dev.rofsguard.policy.Outcome;
import dev.rofsguard.policy.Rules;
import dev.rofsguard.policy.Subject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The result of an audit.
 *
 * @param notWorkloads documents that are not workloads (ConfigMaps, Services, …): skipped and counted
 * @param folded       live objects a listed controller owns (judged through its template): skipped and counted
 * @param rules        the rules every object was judged by (JUnit and PolicyReport show one result per rule)
 */
public record AuditReport(Mode mode, List<AuditedObject> objects, List<ManifestError> errors, int notWorkloads, int folded,
                          List<ContainerRule> rules) {

    public AuditReport(Mode mode, List<AuditedObject> objects, List<ManifestError> errors, int notWorkloads, int folded) {
        this(mode, objects, errors, notWorkloads, folded, Rules.DEFAULT);
    }

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
        return new AuditReport(mode, objects, errors, notWorkloads, 0, judge.config().policy().rules());
    }

    /**
     * One document: empty when it carries no pod spec. A workload of a removed apiVersion (extensions/v1beta1,
     * apps/v1beta1, apps/v1beta2) is judged as its current group's kind, with a note.
     */
    public static Optional<AuditedObject> audit(Judge judge, Document d, Origin origin, String defaultNamespace) {
        String apiVersion = d.object().path("apiVersion").asText("");
        String kind = d.object().path("kind").asText("");
        String namespace = d.object().path("metadata").path("namespace").asText("");
        Subject subject = Subject.create(LegacyApis.currentGroup(apiVersion, kind), kind,
                namespace.isEmpty() ? defaultNamespace : namespace, d.object());
        if (!judge.judges(subject)) {
            return Optional.empty();
        }
        List<String> notes = LegacyApis.note(apiVersion, kind).map(List::of).orElse(List.of());
        return Optional.of(AuditedObject.of(d, judge.judge(subject, origin), notes));
    }

    /** Objects by the verdict's outcome (a pass after admission counts as a pass here). */
    public long count(Outcome outcome) {
        return objects.stream().filter(o -> o.verdict().outcome() == outcome).count();
    }

    /** Objects by the outcome reports show. */
    public long count(ReportOutcome outcome) {
        return objects.stream().filter(o -> o.outcome() == outcome).count();
    }

    public List<Finding> findings() {
        return objects.stream().flatMap(o -> o.findings().stream()).toList();
    }

    public boolean hasViolations() {
        return count(Outcome.FAIL) > 0 || count(Outcome.ERROR) > 0;
    }

    /** The same report with more objects (judged by another door's reading, e.g. Compose services). */
    public AuditReport withObjects(List<AuditedObject> more) {
        List<AuditedObject> all = new ArrayList<>(objects);
        all.addAll(more);
        return new AuditReport(mode, all, errors, notWorkloads, folded, rules);
    }

    /** The same report with input errors added (e.g. an audit that read nothing). */
    public AuditReport withErrors(List<ManifestError> more) {
        List<ManifestError> all = new ArrayList<>(errors);
        all.addAll(more);
        return new AuditReport(mode, objects, all, notWorkloads, folded, rules);
    }
}

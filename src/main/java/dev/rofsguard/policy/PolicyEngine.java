package dev.rofsguard.policy;

import dev.rofsguard.image.ImagePattern;
import dev.rofsguard.image.ImageReference;
import dev.rofsguard.podspec.ContainerKind;
import dev.rofsguard.podspec.ContainerView;
import dev.rofsguard.podspec.PodSpecView;
import dev.rofsguard.podspec.WorkloadKind;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The readOnlyRootFilesystem rule: pure, no I/O. Takes a {@link Subject} and answers a {@link Verdict}.
 */
public final class PolicyEngine {

    private final PolicyConfig config;

    public PolicyEngine(PolicyConfig config) {
        this.config = config;
    }

    public PolicyConfig config() {
        return config;
    }

    /** Evaluates, counting on the mutation where it is enabled in the configuration. */
    public Verdict evaluate(Subject subject) {
        return evaluate(subject, config.mutation().enabled());
    }

    /**
     * @param mutationOn whether rofs-guard's mutation runs for this object's namespace (routed by the webhook
     *                   configuration); then a workload container that the mutation will fix in its pods passes
     */
    public Verdict evaluate(Subject subject, boolean mutationOn) {
        ObjectRef ref = ObjectRef.of(subject.kind(), subject.namespace(),
                subject.object() != null && !subject.object().isNull() ? subject.object() : subject.oldObject());
        if (subject.operation() == Operation.DELETE || subject.operation() == Operation.CONNECT) {
            return Verdict.skip("operation " + subject.operation() + " is not evaluated", ref);
        }
        Optional<WorkloadKind> kind = config.workloadKinds().find(subject.group(), subject.kind());
        if (kind.isEmpty()) {
            return Verdict.skip("not a workload: " + qualifiedKind(subject.group(), subject.kind()) + " carries no pod spec", ref);
        }
        String namespace = ref.namespace();
        if (namespaceExempt(namespace)) {
            return new Verdict(Outcome.SKIP, "namespace " + namespace + " is exempt", ref, List.of(),
                    List.of(new Exemption(Exemption.Kind.NAMESPACE, null, namespace)), List.of());
        }
        Optional<PodSpecView> pod = PodSpecView.of(kind.get(), subject.object());
        if (pod.isEmpty()) {
            return Verdict.error(kind.get().kind() + " has no pod spec object at " + kind.get().podSpecFieldPath(), ref);
        }
        if (subject.operation() == Operation.UPDATE) {
            return evaluateUpdate(subject, kind.get(), pod.get(), ref, mutationOn);
        }
        return evaluatePod(pod.get(), ref, namespace, mutationOn);
    }

    /** CREATE semantics: every container counts. */
    private Verdict evaluatePod(PodSpecView pod, ObjectRef ref, String namespace, boolean mutationOn) {
        Optional<String> windows = pod.windowsReason();
        if (windows.isPresent()) {
            String reason = "Windows pod (" + windows.get() + "): readOnlyRootFilesystem does not apply";
            return new Verdict(Outcome.SKIP, reason, ref, List.of(), List.of(), List.of("skipped: " + reason));
        }
        List<String> notes = new ArrayList<>();
        Optional<String> exemptReason = exemptAnnotation(pod);
        if (exemptReason.isPresent()) {
            if (config.annotationHonouredIn(namespace)) {
                return new Verdict(Outcome.SKIP, "exempt by annotation " + Annotations.EXEMPT, ref, List.of(),
                        List.of(new Exemption(Exemption.Kind.ANNOTATION, null, exemptReason.get())), List.of());
            }
            notes.add("annotation " + Annotations.EXEMPT + " ignored: not honoured in namespace " + namespace);
        }
        List<Violation> violations = new ArrayList<>();
        List<Exemption> exemptions = new ArrayList<>();
        String specPath = pod.kind().podSpecFieldPath();
        int fixedByMutation = 0;
        for (ContainerView c : pod.containers()) {
            Optional<Exemption> exemption = containerExemption(c, namespace);
            if (exemption.isPresent()) {
                exemptions.add(exemption.get());
                continue;
            }
            Optional<String> fix = mutationOn && !pod.kind().isPod() ? mutationFix(c) : Optional.empty();
            if (fix.isPresent()) {
                notes.add(fix.get());
                fixedByMutation++;
                continue;
            }
            Violation.Problem problem = switch (c.rootFilesystem()) {
                case READ_ONLY -> null;
                case NO_SECURITY_CONTEXT -> Violation.Problem.NO_SECURITY_CONTEXT;
                case NOT_SET -> Violation.Problem.NOT_SET;
                case WRITABLE -> Violation.Problem.WRITABLE;
                case NOT_A_BOOLEAN -> Violation.Problem.NOT_A_BOOLEAN;
            };
            if (problem != null) {
                violations.add(new Violation(c.name(), c.kind(), c.image(),
                        specPath + "." + c.fieldPath() + ".securityContext.readOnlyRootFilesystem", problem));
            }
        }
        Outcome outcome = violations.isEmpty() ? Outcome.PASS : Outcome.FAIL;
        String reason = violations.isEmpty()
                ? "every container has readOnlyRootFilesystem: true" + (exemptions.isEmpty() ? "" : " or is exempt")
                        + (fixedByMutation == 0 ? "" : " or will get it in its pods from rofs-guard's mutation")
                : violations.size() + " container(s) without readOnlyRootFilesystem: true";
        return new Verdict(outcome, reason, ref, violations, exemptions, notes);
    }

    /**
     * Workloads are not patched (that fights GitOps tools); their pods are. A template container that the mutation
     * will make compliant is therefore no violation: say what its pods will get instead.
     */
    private Optional<String> mutationFix(ContainerView c) {
        if (c.kind() == ContainerKind.EPHEMERAL_CONTAINER || !config.mutation().setReadOnlyRootFilesystem()) {
            return Optional.empty();
        }
        ContainerView.RootFilesystem rfs = c.rootFilesystem();
        boolean absent = rfs == ContainerView.RootFilesystem.NOT_SET
                || (rfs == ContainerView.RootFilesystem.NO_SECURITY_CONTEXT && (c.node().get("securityContext") == null
                || c.node().get("securityContext").isNull()));
        if (!absent) {
            return Optional.empty();
        }
        return config.catalog().match(c.image()).map(m -> {
            StringBuilder paths = new StringBuilder();
            m.scratch().forEach(s -> paths.append(paths.length() == 0 ? "" : ", ").append(s.path()));
            return c.kind().field() + " \"" + c.name() + "\": its pods will get readOnlyRootFilesystem: true"
                    + (paths.length() == 0 ? "" : " and emptyDir at " + paths) + " (catalog entry " + m.entry() + ")";
        });
    }

    public boolean namespaceExempt(String namespace) {
        return config.exemptNamespaces().contains(namespace);
    }

    /** The annotation exemption's reason, when present, non-empty and honoured in this namespace. */
    public Optional<String> honouredExemptAnnotation(PodSpecView pod, String namespace) {
        return exemptAnnotation(pod).filter(r -> config.annotationHonouredIn(namespace));
    }

    /** The reason in {@code rofs-guard.dev/exempt}; an empty reason exempts nothing. */
    private static Optional<String> exemptAnnotation(PodSpecView pod) {
        return pod.podAnnotation(Annotations.EXEMPT).map(String::trim).filter(r -> !r.isEmpty());
    }

    public Optional<Exemption> containerExemption(ContainerView c, String namespace) {
        if (config.exemptContainers().contains(c.name())) {
            return Optional.of(new Exemption(Exemption.Kind.CONTAINER, c.name(), c.name()));
        }
        String qualified = namespace + "/" + c.name();
        if (config.exemptContainers().contains(qualified)) {
            return Optional.of(new Exemption(Exemption.Kind.CONTAINER, c.name(), qualified));
        }
        if (config.exemptImages().isEmpty()) {
            return Optional.empty();
        }
        Optional<ImageReference> ref = ImageReference.parse(c.image());
        for (ImagePattern p : config.exemptImages()) {
            if (ref.isPresent() && p.matches(ref.get())) {
                return Optional.of(new Exemption(Exemption.Kind.IMAGE, c.name(), p.toString()));
            }
        }
        return Optional.empty();
    }

    /**
     * UPDATE. A Pod: only what the update introduces counts, so that an old non-compliant pod can still lose its
     * finalizers or change labels. A workload: a changed pod template is judged as new (a rollout will create pods
     * from it); any other change is allowed.
     */
    private Verdict evaluateUpdate(Subject subject, WorkloadKind kind, PodSpecView pod, ObjectRef ref, boolean mutationOn) {
        Optional<PodSpecView> old = PodSpecView.of(kind, subject.oldObject());
        if (!kind.isPod()) {
            if (old.isPresent() && old.get().template().equals(pod.template())) {
                return Verdict.skip("update does not change the pod template", ref);
            }
            return evaluatePod(pod, ref, ref.namespace(), mutationOn);
        }
        Verdict full = evaluatePod(pod, ref, ref.namespace(), mutationOn);
        if (full.outcome() != Outcome.FAIL || old.isEmpty()) {
            return full;
        }
        Set<String> oldCompliant = new HashSet<>();
        Set<String> oldPresent = new HashSet<>();
        for (ContainerView c : old.get().containers()) {
            oldPresent.add(c.key());
            if (c.rootFilesystem() == ContainerView.RootFilesystem.READ_ONLY) {
                oldCompliant.add(c.key());
            }
        }
        List<Violation> introduced = new ArrayList<>();
        int preExisting = 0;
        for (Violation v : full.violations()) {
            String key = v.containerKind().field() + "/" + v.container();
            if (!oldPresent.contains(key) || oldCompliant.contains(key)) {
                introduced.add(v);
            } else {
                preExisting++;
            }
        }
        List<String> notes = new ArrayList<>(full.notes());
        if (preExisting > 0) {
            notes.add(preExisting + " container(s) already lacked readOnlyRootFilesystem: true before this update; not judged again");
        }
        if (introduced.isEmpty()) {
            return new Verdict(Outcome.PASS, "update introduces no violation", ref, List.of(), full.exemptions(), notes);
        }
        return new Verdict(Outcome.FAIL, introduced.size() + " container(s) without readOnlyRootFilesystem: true introduced by this update",
                ref, introduced, full.exemptions(), notes);
    }

    static String qualifiedKind(String group, String kind) {
        return group == null || group.isEmpty() ? kind : kind + "." + group;
    }

    /** Ephemeral containers may be relaxed; other kinds follow the request's mode. */
    public Mode modeFor(Violation v, Mode requestMode) {
        return v.containerKind() == ContainerKind.EPHEMERAL_CONTAINER ? requestMode.atMost(config.ephemeralContainersMode()) : requestMode;
    }
}

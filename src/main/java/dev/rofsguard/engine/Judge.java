package dev.rofsguard.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rofsguard.mutation.PatchPlanner;
import dev.rofsguard.mutation.Plan;
import dev.rofsguard.podspec.Annotations;
import dev.rofsguard.podspec.ContainerKind;
import dev.rofsguard.podspec.ContainerView;
import dev.rofsguard.podspec.PodSpecView;
import dev.rofsguard.podspec.WorkloadKind;
import dev.rofsguard.policy.ContainerRule;
import dev.rofsguard.policy.Exemption;
import dev.rofsguard.policy.ObjectRef;
import dev.rofsguard.policy.Operation;
import dev.rofsguard.policy.Outcome;
import dev.rofsguard.policy.PolicyConfig;
import dev.rofsguard.policy.Subject;
import dev.rofsguard.policy.Verdict;
import dev.rofsguard.policy.Violation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The one judge: every door (webhook, {@code review}, {@code audit} of files and of clusters) gets its verdict here,
 * and the mutating webhook its plan. Pure: no I/O, no HTTP, no CDI; denial is a value.
 */
public final class Judge {

    public static final String EPHEMERAL_SUBRESOURCE = "ephemeralcontainers";

    private final EngineConfig config;
    private final PatchPlanner planner;

    public Judge(EngineConfig config) {
        this.config = config;
        this.planner = new PatchPlanner(config.mutation(), config.catalog());
    }

    public EngineConfig config() {
        return config;
    }

    /** Whether the object's kind carries a pod spec (built-in or configured): the one table of kinds. */
    public boolean judges(Subject subject) {
        return config.policy().workloadKinds().find(subject.group(), subject.kind()).isPresent();
    }

    /** The verdict on one object (and, for reports, the plan), as it will be admitted from this origin. */
    public Judgement judge(Subject subject, Origin origin) {
        PolicyConfig policy = config.policy();
        JsonNode named = subject.object() != null && !subject.object().isNull() ? subject.object() : subject.oldObject();
        ObjectRef ref = ObjectRef.of(subject.kind(), subject.namespace(), named);
        if (subject.operation() == Operation.DELETE || subject.operation() == Operation.CONNECT) {
            return skip(Verdict.skip("operation " + subject.operation() + " is not evaluated", ref));
        }
        Optional<WorkloadKind> kind = policy.workloadKinds().find(subject.group(), subject.kind());
        if (kind.isEmpty()) {
            return skip(Verdict.skip("not a workload: " + qualifiedKind(subject.group(), subject.kind()) + " carries no pod spec", ref));
        }
        Scope scope = scope(kind.get(), subject.object(), ref.namespace());
        if (scope.skipped != null) {
            return skip(new Verdict(scope.outcome, scope.skipped, ref, List.of(), scope.exemptions, scope.notes));
        }
        PodSpecView pod = scope.pod;
        if (subject.operation() == Operation.UPDATE && !kind.get().isPod()) {
            Optional<PodSpecView> old = PodSpecView.of(kind.get(), subject.oldObject());
            if (old.isPresent() && old.get().template().equals(pod.template())) {
                return skip(Verdict.skip("update does not change the pod template", ref));
            }
        }
        boolean counts = kind.get().isPod() ? origin.podMutationAhead() : origin.mutation();
        Plan plan = counts || origin.wantsAdvice() ? planner.create(pod, scope.eligible) : Plan.NONE;
        PodSpecView judged = pod;
        List<String> notes = new ArrayList<>(scope.notes);
        if (counts && !plan.isEmpty()) {
            judged = PodSpecView.of(kind.get(), plan.applyTo(subject.object())).orElseThrow();
            String whose = kind.get().isPod() ? "" : "its pods ";
            plan.changes().forEach((name, change) -> {
                if (change.readOnlyRootFilesystem()) {
                    notes.add(containerField(pod, name) + " \"" + name + "\": " + whose + "will get readOnlyRootFilesystem: true"
                            + (change.mounts().isEmpty() ? "" : " and emptyDir at " + String.join(", ", change.mounted()))
                            + " (catalog entry " + change.entry() + ") from rofs-guard's mutation");
                }
            });
        }
        List<Violation> violations = violations(judged, scope.exempt);
        if (!violations.isEmpty() || !plan.blocked().isEmpty()) {
            // Say why the catalog could not help where it knows the image: on the finding, or as a note when the
            // container passes anyway (read-only by the user's choice, with nothing at its data path).
            // Without a plan (a Pod at admission), only the reasons are worked out, not the operations.
            Set<String> violating = new HashSet<>();
            violations.forEach(v -> violating.add(v.container()));
            Map<String, String> blocked = plan != Plan.NONE ? plan.blocked() : planner.blocked(pod, withFindings(scope.eligible, violating));
            if (!blocked.isEmpty()) {
                List<Violation> hinted = new ArrayList<>(violations.size());
                for (Violation v : violations) {
                    // The catalog's reasons explain only the findings of rules it serves.
                    String why = v.rule().catalog() ? blocked.get(v.container()) : null;
                    hinted.add(why == null ? v : v.withHint(why));
                }
                violations = hinted;
                blocked.forEach((name, why) -> {
                    if (!violating.contains(name)) {
                        notes.add(containerField(pod, name) + " \"" + name + "\" " + why);
                    }
                });
            }
        }
        if (subject.operation() == Operation.UPDATE && kind.get().isPod() && !violations.isEmpty()) {
            Optional<PodSpecView> old = PodSpecView.of(kind.get(), subject.oldObject());
            if (old.isPresent()) {
                return new Judgement(introduced(old.get(), violations, ref, scope.exemptions, notes), plan, counts);
            }
        }
        String reason = violations.isEmpty()
                ? "every container complies" + (scope.exemptions.isEmpty() ? "" : " or is exempt")
                        + (counts && !plan.changes().isEmpty() ? " or will with rofs-guard's mutation" : "")
                : violations.size() + " finding(s) in " + countContainers(violations) + " container(s)";
        return new Judgement(new Verdict(violations.isEmpty() ? Outcome.PASS : Outcome.FAIL, reason, ref, violations,
                scope.exemptions, notes), plan, counts);
    }

    /**
     * The mutating webhook's plan for a request: Pod CREATE, and the {@code pods/ephemeralcontainers} UPDATE of
     * {@code kubectl debug}. Pod volumes and mounts are immutable after creation, so nothing else is patched.
     * Empty ({@link Plan#NONE}) for any other request.
     */
    public Plan mutation(Subject subject) {
        if (!subject.group().isEmpty() || !"Pod".equals(subject.kind()) || subject.object() == null || !subject.object().isObject()) {
            return Plan.NONE;
        }
        boolean create = subject.operation() == Operation.CREATE && subject.subResource() == null;
        boolean debug = subject.operation() == Operation.UPDATE && EPHEMERAL_SUBRESOURCE.equals(subject.subResource());
        if (!create && !debug) {
            return Plan.NONE;
        }
        if (!config.mutation().enabled()) {
            return Plan.skipped("mutation is off");
        }
        WorkloadKind pods = config.policy().workloadKinds().find("", "Pod").orElseThrow();
        Scope scope = scope(pods, subject.object(), subject.namespace());
        if (scope.skipped != null) {
            return Plan.skipped(scope.skipped);
        }
        if (create) {
            return PatchPlanner.recorded(planner.create(scope.pod, scope.eligible), subject.object());
        }
        Set<String> existing = new HashSet<>();
        PodSpecView.of(pods, subject.oldObject()).ifPresent(old -> old.containers().forEach(c -> existing.add(c.key())));
        List<ContainerView> added = scope.eligible.stream()
                .filter(c -> c.kind() == ContainerKind.EPHEMERAL_CONTAINER && !existing.contains(c.key())).toList();
        return planner.ephemeral(scope.pod, added);
    }

    /**
     * What of a pod spec is in scope: the one place that decides exemptions (namespace, Windows, annotation,
     * container and image) for the verdict and the plan alike.
     */
    private Scope scope(WorkloadKind kind, JsonNode object, String namespace) {
        PolicyConfig policy = config.policy();
        if (policy.namespaceExempt(namespace)) {
            return Scope.skip(Outcome.SKIP, "namespace " + namespace + " is exempt",
                    List.of(new Exemption(Exemption.Kind.NAMESPACE, null, namespace)), List.of());
        }
        Optional<PodSpecView> view = PodSpecView.of(kind, object);
        if (view.isEmpty()) {
            return Scope.skip(Outcome.ERROR, kind.kind() + " has no pod spec object at " + kind.podSpecFieldPath(), List.of(), List.of());
        }
        PodSpecView pod = view.get();
        Optional<String> shape = pod.shapeProblem();
        if (shape.isPresent()) {
            // The API server would refuse it; rofs-guard does not guess (fail closed) and patches nothing.
            return Scope.skip(Outcome.ERROR, kind.kind() + " is not a valid pod spec: " + shape.get(), List.of(), List.of());
        }
        Optional<String> windows = pod.windowsReason();
        if (windows.isPresent()) {
            String reason = "Windows pod (" + windows.get() + "): readOnlyRootFilesystem does not apply";
            return Scope.skip(Outcome.SKIP, reason, List.of(), List.of("skipped: " + reason));
        }
        List<String> notes = new ArrayList<>();
        Optional<String> annotation = PolicyConfig.exemptAnnotation(pod);
        if (annotation.isPresent()) {
            if (policy.annotationHonouredIn(namespace)) {
                return Scope.skip(Outcome.SKIP, "exempt by annotation " + Annotations.EXEMPT,
                        List.of(new Exemption(Exemption.Kind.ANNOTATION, null, annotation.get())), List.of());
            }
            notes.add("annotation " + Annotations.EXEMPT + " ignored: not honoured in namespace " + namespace);
        }
        List<ContainerView> eligible = new ArrayList<>();
        List<Exemption> exemptions = new ArrayList<>();
        Set<String> exempt = new HashSet<>();
        for (ContainerView c : pod.containers()) {
            if (!config.catalog().validReference(c.image())) {
                // Said, not passed over: the runtime will refuse it, and the catalog cannot know it.
                notes.add(c.kind().field() + " \"" + c.name() + "\": image \"" + c.image() + "\" is not a valid image reference "
                        + "(lower-case repository, one tag after one colon, a full digest, no spaces)");
            }
            Optional<Exemption> e = policy.containerExemption(c, namespace);
            if (e.isPresent()) {
                exemptions.add(e.get());
                exempt.add(c.fieldPath());
            } else {
                eligible.add(c);
            }
        }
        return new Scope(null, null, pod, eligible, exempt, exemptions, notes);
    }

    /** Every rule over every container that is not exempt, in pod-spec order (a container's findings together). */
    private List<Violation> violations(PodSpecView pod, Set<String> exempt) {
        List<Violation> violations = new ArrayList<>();
        String specPath = pod.kind().podSpecFieldPath();
        String specPointer = pod.kind().podSpecPointer();
        for (ContainerView c : pod.containers()) {
            if (!exempt.isEmpty() && exempt.contains(c.fieldPath())) {
                continue;
            }
            for (ContainerRule rule : config.policy().rules()) {
                Optional<String> problem = rule.problem(c);
                if (problem.isPresent()) {
                    violations.add(new Violation(rule, c.name(), c.kind(), c.index(), c.image(),
                            specPath + "." + c.fieldPath() + "." + rule.field(),
                            specPointer + "/" + c.kind().field() + "/" + c.index(), problem.get(), null));
                }
            }
        }
        return violations;
    }

    /**
     * A Pod UPDATE: only what the update introduces counts (a container that is new, or that followed the rule in
     * {@code oldObject} and does not any more), so that an old non-compliant pod can still lose its finalizers.
     */
    private Verdict introduced(PodSpecView old, List<Violation> all, ObjectRef ref, List<Exemption> exemptions, List<String> notes) {
        Set<String> before = new HashSet<>();
        for (ContainerView c : old.containers()) {
            for (ContainerRule rule : config.policy().rules()) {
                if (rule.problem(c).isPresent()) {
                    before.add(rule.id() + "|" + c.key());
                }
            }
        }
        List<Violation> introduced = all.stream().filter(v -> !before.contains(v.key())).toList();
        List<String> allNotes = new ArrayList<>(notes);
        int preExisting = all.size() - introduced.size();
        if (preExisting > 0) {
            allNotes.add(preExisting + " finding(s) already present before this update; not judged again");
        }
        if (introduced.isEmpty()) {
            return new Verdict(Outcome.PASS, "update introduces no violation", ref, List.of(), exemptions, allNotes);
        }
        return new Verdict(Outcome.FAIL, introduced.size() + " finding(s) introduced by this update", ref, introduced,
                exemptions, allNotes);
    }

    private static List<ContainerView> withFindings(List<ContainerView> containers, Set<String> names) {
        List<ContainerView> with = new ArrayList<>(names.size());
        for (ContainerView c : containers) {
            if (names.contains(c.name())) {
                with.add(c);
            }
        }
        return with;
    }

    /** Findings come in pod-spec order, a container's together (see {@link #violations}): count the changes. */
    private static int countContainers(List<Violation> violations) {
        int count = 0;
        Violation previous = null;
        for (Violation v : violations) {
            if (previous == null || previous.containerKind() != v.containerKind() || previous.index() != v.index()) {
                count++;
            }
            previous = v;
        }
        return count;
    }

    private static String containerField(PodSpecView pod, String name) {
        for (ContainerView c : pod.containers()) {
            if (c.name().equals(name)) {
                return c.kind().field();
            }
        }
        return "containers";
    }

    private static Judgement skip(Verdict verdict) {
        return new Judgement(verdict, Plan.NONE, false);
    }

    static String qualifiedKind(String group, String kind) {
        return group == null || group.isEmpty() ? kind : kind + "." + group;
    }

    /** In scope (skipped null) or not (skipped says why, with the outcome to report). */
    private record Scope(String skipped, Outcome outcome, PodSpecView pod, List<ContainerView> eligible, Set<String> exempt,
                         List<Exemption> exemptions, List<String> notes) {

        static Scope skip(Outcome outcome, String reason, List<Exemption> exemptions, List<String> notes) {
            return new Scope(reason, outcome, null, List.of(), Set.of(), exemptions, notes);
        }
    }
}

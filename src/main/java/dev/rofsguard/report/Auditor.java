package dev.rofsguard.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rofsguard.manifest.Document;
import dev.rofsguard.manifest.ManifestError;
import dev.rofsguard.mutation.Catalog;
import dev.rofsguard.mutation.JsonPointers;
import dev.rofsguard.mutation.MutationPlan;
import dev.rofsguard.mutation.PatchPlanner;
import dev.rofsguard.mutation.VolumeNames;
import dev.rofsguard.podspec.WorkloadKind;
import dev.rofsguard.policy.Mode;
import dev.rofsguard.policy.ObjectRef;
import dev.rofsguard.policy.PolicyEngine;
import dev.rofsguard.policy.Subject;
import dev.rofsguard.policy.Verdict;
import dev.rofsguard.policy.Violation;
import io.fabric8.zjsonpatch.JsonPatch;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Judges manifests with the admission engine, as the cluster would: a Pod is mutated first (the mutating webhook
 * runs before the validating one), a workload is judged counting on the mutation of its pods. So a manifest gets
 * the same verdict in CI as at admission.
 */
public final class Auditor {

    private static final JsonNodeFactory N = JsonNodeFactory.instance;

    private final PolicyEngine engine;
    private final PatchPlanner planner;
    private final String defaultNamespace;

    private final boolean mutatePods;

    public Auditor(PolicyEngine engine, String defaultNamespace) {
        this(engine, defaultNamespace, true);
    }

    /**
     * @param mutatePods true for manifests (the mutating webhook will run before the pod is judged); false for live
     *                   pods, whose volumes can no longer change
     */
    public Auditor(PolicyEngine engine, String defaultNamespace, boolean mutatePods) {
        this.engine = engine;
        this.planner = new PatchPlanner(engine);
        this.defaultNamespace = defaultNamespace;
        this.mutatePods = mutatePods;
    }

    public AuditReport audit(List<Document> documents, List<ManifestError> errors, Mode mode) {
        List<AuditedObject> objects = new ArrayList<>();
        int notWorkloads = 0;
        for (Document d : documents) {
            Optional<AuditedObject> o = audit(d);
            if (o.isPresent()) {
                objects.add(o.get());
            } else {
                notWorkloads++;
            }
        }
        return new AuditReport(mode, objects, errors, notWorkloads);
    }

    /** Empty when the document is not a workload. */
    public Optional<AuditedObject> audit(Document d) {
        JsonNode object = d.object();
        String apiVersion = object.path("apiVersion").asText("");
        String kindName = object.path("kind").asText("");
        Optional<WorkloadKind> kind = engine.config().workloadKinds().findByApiVersion(apiVersion, kindName);
        if (kind.isEmpty()) {
            return Optional.empty();
        }
        String namespace = namespace(object);
        Subject subject = Subject.create(kind.get().group(), kindName, namespace, object);
        Verdict verdict;
        if (kind.get().isPod()) {
            JsonNode mutated = mutatePods ? applyMutation(object, namespace) : object;
            verdict = engine.evaluate(Subject.create("", "Pod", namespace, mutated), false);
        } else {
            verdict = engine.evaluate(subject);
        }
        String name = ObjectRef.of(kindName, namespace, object).displayName();
        List<Finding> findings = new ArrayList<>();
        for (Violation v : verdict.violations()) {
            findings.add(finding(d, kind.get(), kindName, namespace, name, v));
        }
        return Optional.of(new AuditedObject(d, kindName, namespace, name, verdict, findings));
    }

    /** The manifest with the mutation applied to its pod (template): catalog volumes and the flag. */
    public JsonNode fix(Document d) {
        JsonNode object = d.object();
        Optional<WorkloadKind> kind = engine.config().workloadKinds()
                .findByApiVersion(object.path("apiVersion").asText(""), object.path("kind").asText(""));
        if (kind.isEmpty()) {
            return object;
        }
        String namespace = namespace(object);
        if (kind.get().isPod()) {
            return JsonPatch.apply(planner.podCreate(object, namespace, false).patch(), object);
        }
        return JsonPatch.apply(templatePatch(kind.get(), object, namespace), object);
    }

    /** The mutation of a workload's pod template, as operations on the workload (paths under the template). */
    public ArrayNode templatePatch(WorkloadKind kind, JsonNode object, String namespace) {
        List<String> template = kind.templatePath();
        JsonNode t = object;
        for (String f : template) {
            t = t.path(f);
        }
        ObjectNode pseudoPod = N.objectNode();
        pseudoPod.set("metadata", t.path("metadata").isObject() ? t.get("metadata") : N.objectNode());
        pseudoPod.set("spec", t.path("spec"));
        MutationPlan plan = planner.podCreate(pseudoPod, namespace, false);
        String prefix = JsonPointers.pointer(template.toArray(String[]::new));
        ArrayNode ops = N.arrayNode();
        for (JsonNode op : plan.patch()) {
            ObjectNode copy = ((ObjectNode) op).deepCopy();
            copy.put("path", prefix + op.path("path").asText());
            ops.add(copy);
        }
        return ops;
    }

    private JsonNode applyMutation(JsonNode pod, String namespace) {
        MutationPlan plan = planner.podCreate(pod, namespace);
        return plan.isEmpty() ? pod : JsonPatch.apply(plan.patch(), pod);
    }

    private String namespace(JsonNode object) {
        String ns = object.path("metadata").path("namespace").asText("");
        return ns.isEmpty() ? defaultNamespace : ns;
    }

    private Finding finding(Document d, WorkloadKind kind, String kindName, String namespace, String name, Violation v) {
        JsonNode spec = d.object();
        for (String f : kind.podSpecPath()) {
            spec = spec.path(f);
        }
        int index = indexOf(spec.path(v.containerKind().field()), v.container());
        String containerPointer = kind.podSpecPointer() + "/" + v.containerKind().field() + "/" + index;
        Optional<Catalog.Match> match = engine.config().catalog().match(v.image());
        List<String> scratch = match.map(m -> m.scratch().stream().map(Catalog.Scratch::path).toList()).orElse(List.of());
        return new Finding(d.source(), d.line(), d.lineOf(containerPointer), kindName, namespace, name, v.container(),
                v.containerKind().field(), v.image(), v.fieldPath(), v.problem().text(),
                match.map(Catalog.Match::entry).orElse(null), scratch, fixYaml(spec, v.container(), match));
    }

    private static int indexOf(JsonNode list, String container) {
        for (int i = 0; i < list.size(); i++) {
            if (container.equals(list.get(i).path("name").asText())) {
                return i;
            }
        }
        return 0;
    }

    /** The YAML to add to the container (and, for catalog images, to the pod spec). */
    static String fixYaml(JsonNode spec, String container, Optional<Catalog.Match> match) {
        StringBuilder s = new StringBuilder(Violation.FIX);
        if (match.isEmpty() || match.get().scratch().isEmpty()) {
            return s.toString();
        }
        Set<String> taken = new HashSet<>();
        spec.path("volumes").forEach(v -> taken.add(v.path("name").asText()));
        StringBuilder volumes = new StringBuilder("\n# and in the pod spec (rofs-guard's mutating webhook adds these to pods):\nvolumes:");
        s.append("\nvolumeMounts:");
        for (Catalog.Scratch sc : match.get().scratch()) {
            String name = VolumeNames.forPath(container, sc.path(), taken);
            taken.add(name);
            s.append("\n  - name: ").append(name).append("\n    mountPath: ").append(sc.path());
            volumes.append("\n  - name: ").append(name).append("\n    emptyDir: {")
                    .append(sc.medium() != null ? "medium: " + sc.medium() + ", " : "")
                    .append("sizeLimit: ").append(sc.sizeLimit()).append('}');
        }
        return s.append(volumes).toString();
    }
}

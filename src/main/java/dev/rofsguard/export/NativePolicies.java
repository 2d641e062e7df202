package dev.rofsguard.export;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rofsguard.engine.EngineConfig;
import dev.rofsguard.image.ImagePattern;
import dev.rofsguard.podspec.ContainerKind;
import dev.rofsguard.podspec.WorkloadKind;
import dev.rofsguard.policy.Mode;
import dev.rofsguard.policy.PolicyConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The policy compiled to ValidatingAdmissionPolicies (admissionregistration.k8s.io/v1), which the API server runs
 * itself in CEL: no network hop, nothing to be down. One policy for containers and init containers, one for
 * ephemeral containers (so that their mode can be relaxed), and a binding per mode routed by the same namespace
 * label as the webhook ({@code rofs-guard.dev/mode}: enforce → Deny, warn → Warn, audit → Audit).
 *
 * <p>What it covers: the rule; exemptions by namespace (the bindings' namespaceSelector), by image (the patterns as
 * RE2 over the image as written, Docker's normalisation folded in), by container name, and by annotation (only in the
 * configured namespaces); Windows pods; UPDATE semantics through {@code oldObject} (a Pod's old findings are not
 * judged again; a workload update that leaves the template alone passes); ephemeral containers. What it does not:
 * see {@link #LIMITS}.
 */
public final class NativePolicies {

    /** Measured on kube-apiserver 1.37: 400 catalog containers fit the CEL cost budget, 1,000 do not. */
    static final int MAX_NATIVE_CONTAINERS = 256;

    /**
     * Where the native engine differs from the webhook, said by the command and in the README. The hybrid install
     * sends the pods and workloads of the last three to the webhook ({@link #needsWebhook}); the first three remain.
     */
    public static final List<String> LIMITS = List.of(
            "volume names: CEL has no hash function, so where the webhook hashes a long or taken name the native mutation "
                    + "names the volume rofs-<c|i><index>-<n> (the stored pod is otherwise the same)",
            "messages: one denial naming each container (\"containers \\\"web\\\"\"), without the webhook's per-container fix, "
                    + "catalog hints and warnings for workloads the mutation will fix; bad image references are not warned about",
            "pod specs the API server would refuse are left to its own validation (the webhook denies them first)",
            "cost budget: pods with more than " + MAX_NATIVE_CONTAINERS + " containers and init containers exceed the API server's "
                    + "CEL cost limit (hybrid: sent to the webhook)",
            "paths CEL cannot normalise: a mount path with '..', an env or flag value that moves a catalog path written "
                    + "unusually ('//', '/./', trailing '/', odd characters) or given twice (hybrid: sent to the webhook)",
            "a pod created with a rofs-guard.dev/mutated annotation already set: the webhook merges its record into it "
                    + "(hybrid: sent to the webhook)");

    private static final JsonNodeFactory N = JsonNodeFactory.instance;
    static final String POLICY = "rofs-guard.dev";
    static final String EPHEMERAL_POLICY = "ephemeral.rofs-guard.dev";
    static final String MODE_LABEL = "rofs-guard.dev/mode";

    private NativePolicies() {
    }

    /** The policies and their bindings, in apply order (native only: every request). */
    public static List<ObjectNode> compile(EngineConfig config) {
        return compile(config, false);
    }

    /**
     * The policies and their bindings, in apply order. {@code hybrid}: the policies leave alone what
     * {@link #needsWebhook} sends to the webhook.
     */
    public static List<ObjectNode> compile(EngineConfig config, boolean hybrid) {
        List<ObjectNode> out = compileAll(config);
        if (hybrid) {
            for (ObjectNode o : out) {
                if (o.path("kind").asText().endsWith("Policy")) {
                    boolean pod = o.path("kind").asText().startsWith("Mutating");
                    String spec = pod ? "object.spec" : byKind(config.policy(), "object", Part.SPEC);
                    ((ArrayNode) o.path("spec").path("matchConditions")).addObject().put("name", "not-sent-to-the-webhook")
                            .put("expression", "!(" + needsWebhook(config, "object", spec, pod) + ")");
                }
            }
        }
        return out;
    }

    /**
     * CEL for a webhook's matchConditions in a hybrid install: what the native policies leave to it.
     *
     * @param mutating for the mutating webhook (which alone cares about an earlier mutation record)
     */
    public static String webhookCondition(EngineConfig config, boolean mutating) {
        return needsWebhook(config, "object", byKind(config.policy(), "object", Part.SPEC), mutating);
    }

    private static List<ObjectNode> compileAll(EngineConfig config) {
        PolicyConfig policy = config.policy();
        List<ObjectNode> out = new ArrayList<>();
        out.add(policy(POLICY, config, List.of(ContainerKind.CONTAINER, ContainerKind.INIT_CONTAINER)));
        out.add(policy(EPHEMERAL_POLICY, config, List.of(ContainerKind.EPHEMERAL_CONTAINER)));
        for (Mode mode : Mode.values()) {
            out.add(binding(POLICY, mode, mode, policy));
            out.add(binding(EPHEMERAL_POLICY, mode, mode.atMost(policy.ephemeralContainersMode()), policy));
        }
        out.addAll(NativeMutation.compile(config));
        return out;
    }

    private static ObjectNode policy(String name, EngineConfig config, List<ContainerKind> lists) {
        PolicyConfig policy = config.policy();
        ObjectNode p = N.objectNode().put("apiVersion", "admissionregistration.k8s.io/v1").put("kind", "ValidatingAdmissionPolicy");
        p.putObject("metadata").put("name", name);
        ObjectNode spec = p.putObject("spec");
        spec.put("failurePolicy", "Fail");
        ObjectNode match = spec.putObject("matchConstraints");
        ArrayNode rules = match.putArray("resourceRules");
        Map<String, List<String>> byGroup = new TreeMap<>();
        for (WorkloadKind k : policy.workloadKinds().all()) {
            byGroup.computeIfAbsent(k.group(), g -> new ArrayList<>()).add(plural(k.kind()));
        }
        byGroup.forEach((group, resources) -> {
            ObjectNode r = rules.addObject();
            r.putArray("apiGroups").add(group);
            r.putArray("apiVersions").add("*");
            r.putArray("operations").add("CREATE").add("UPDATE");
            ArrayNode res = r.putArray("resources");
            resources.forEach(res::add);
            if (group.isEmpty()) {
                res.add("pods/ephemeralcontainers");
            }
        });
        // DELETE and CONNECT are not judged; the pods/ephemeralcontainers subresource is (kubectl debug).
        ArrayNode conditions = spec.putArray("matchConditions");
        conditions.addObject().put("name", "workload-template-changed").put("expression",
                "request.operation != 'UPDATE' || object.kind == 'Pod' || oldObject == null || "
                        + byKind(policy, "object", Part.TEMPLATE) + " != " + byKind(policy, "oldObject", Part.TEMPLATE));
        ArrayNode variables = spec.putArray("variables");
        variables.addObject().put("name", "spec").put("expression", byKind(policy, "object", Part.SPEC));
        variables.addObject().put("name", "oldSpec").put("expression", "oldObject == null ? null : " + byKind(policy, "oldObject", Part.SPEC));
        variables.addObject().put("name", "windows").put("expression", windows("variables.spec"));
        variables.addObject().put("name", "annotationExempt").put("expression", annotationExempt(policy));
        if (fixes(config) && lists.contains(ContainerKind.CONTAINER)) {
            // A workload's containers the mutation will make read-only when its pods are created.
            NativeCatalog catalog = new NativeCatalog(config.catalog(), config.mutation());
            variables.addObject().put("name", "pool").put("expression", NativeMutation.pool("variables.spec"));
            variables.addObject().put("name", "poolNames").put("expression", "variables.pool.map(c, c.name)");
            variables.addObject().put("name", "csNames").put("expression",
                    "has(variables.spec.containers) ? variables.spec.containers.map(c, c.name) : []");
            for (NativeCatalog.Variable v : catalog.factVariables("(has(variables.spec.volumes) ? variables.spec.volumes : [])")) {
                variables.addObject().put("name", v.name()).put("expression", v.expression());
            }
            for (NativeCatalog.Variable v : catalog.planVariables("mutationFixes", false, "[]", "[]", "'containers'", "0")) {
                variables.addObject().put("name", v.name()).put("expression", v.expression());
            }
            variables.addObject().put("name", "fixable").put("expression", "object.kind == 'Pod' ? [] : variables.pool.filter(c, "
                    + NativeMutation.eligible(policy, "variables.csNames") + " && variables.mutationFixes[variables.poolNames.indexOf(c.name)])"
                    + ".map(c, c.name)");
        }
        StringBuilder bad = new StringBuilder();
        for (ContainerKind list : lists) {
            if (bad.length() > 0) {
                bad.append(" + ");
            }
            String field = list.field();
            bad.append("(has(variables.spec.").append(field).append(") ? variables.spec.").append(field).append(" : [])")
                    .append(".filter(c, !(").append(compliant("c")).append(") && !(").append(exempt(policy, "c")).append(")")
                    .append(fixes(config) && lists.contains(ContainerKind.CONTAINER) ? " && !(c.name in variables.fixable)" : "")
                    .append(" && (object.kind != 'Pod' || request.operation != 'UPDATE' || variables.oldSpec == null || !(has(variables.oldSpec.")
                    .append(field).append(") && variables.oldSpec.").append(field).append(".exists(o, o.name == c.name && !(")
                    .append(compliant("o")).append(")))))")
                    .append(".map(c, '").append(field).append(" \"' + c.name + '\"')");
        }
        variables.addObject().put("name", "violating").put("expression", bad.toString());
        ObjectNode validation = spec.putArray("validations").addObject();
        validation.put("expression", "variables.windows || variables.annotationExempt || size(variables.violating) == 0");
        validation.put("messageExpression", "'rofs-guard: ' + object.kind + ' ' + (has(object.metadata.namespace) ? object.metadata.namespace + '/' : '') "
                + "+ (has(object.metadata.name) && object.metadata.name != '' ? object.metadata.name : (has(object.metadata.generateName) ? object.metadata.generateName + '*' : '')) "
                + "+ ' has ' + string(size(variables.violating)) + ' container(s) without a read-only root filesystem: ' "
                + "+ variables.violating.join(', ') + '. Fix: set securityContext.readOnlyRootFilesystem: true in each'");
        validation.put("reason", "Forbidden");
        spec.putArray("auditAnnotations").addObject().put("key", "violations").put("valueExpression",
                "variables.violating.join('; ')"); // empty when nothing violates: the annotation is then left out
        return p;
    }

    private static ObjectNode binding(String policyName, Mode route, Mode action, PolicyConfig policy) {
        ObjectNode b = N.objectNode().put("apiVersion", "admissionregistration.k8s.io/v1").put("kind", "ValidatingAdmissionPolicyBinding");
        b.putObject("metadata").put("name", route.label() + "." + policyName);
        ObjectNode spec = b.putObject("spec");
        spec.put("policyName", policyName);
        ArrayNode actions = spec.putArray("validationActions");
        switch (action) {
            case ENFORCE -> actions.add("Deny");
            case WARN -> actions.add("Warn").add("Audit");
            case AUDIT -> actions.add("Audit");
        }
        ArrayNode exprs = spec.putObject("matchResources").putObject("namespaceSelector").putArray("matchExpressions");
        // The same routing as the webhook: no label (or enforce) is the policy's default mode.
        List<String> others = new ArrayList<>();
        for (Mode m : Mode.values()) {
            if (m != route) {
                others.add(m.label());
            }
        }
        others.add("off");
        if (route == policy.defaultMode()) {
            exprs.addObject().put("key", MODE_LABEL).put("operator", "NotIn").set("values", strings(others));
        } else {
            exprs.addObject().put("key", MODE_LABEL).put("operator", "In").set("values", strings(List.of(route.label())));
        }
        if (!policy.exemptNamespaces().isEmpty()) {
            exprs.addObject().put("key", "kubernetes.io/metadata.name").put("operator", "NotIn")
                    .set("values", strings(policy.exemptNamespaces().stream().sorted().toList()));
        }
        return b;
    }

    /**
     * Whether a workload's container that the mutation will make read-only passes, as with the webhook: its pods are
     * patched when they are created. A Pod is judged as stored, after the MutatingAdmissionPolicy ran.
     */
    private static boolean fixes(EngineConfig config) {
        return config.mutation().enabled() && config.mutation().setReadOnlyRootFilesystem();
    }

    /**
     * CEL over a pod spec: true where the native policies would not answer exactly as the webhook (see
     * {@link #LIMITS}). Conservative: it may send a pod to the webhook that the native engine would have handled. A
     * hybrid install adds it to the webhooks' matchConditions, and its negation to the native policies'.
     */
    static String needsWebhook(EngineConfig config, String object, String spec, boolean mutating) {
        java.util.Set<String> envs = new java.util.TreeSet<>();
        java.util.Set<String> flags = new java.util.TreeSet<>();
        List<dev.rofsguard.catalog.CatalogPath> paths = new ArrayList<>(config.catalog().allImages());
        config.catalog().entries().forEach(e -> paths.addAll(e.paths()));
        for (dev.rofsguard.catalog.CatalogPath p : paths) {
            if (p.env() != null) {
                envs.add(p.env());
            }
            if (p.arg() != null) {
                flags.add(p.arg());
            }
        }
        String pool = "(" + NativeMutation.pool(spec) + ")";
        String plain = "'^/[A-Za-z0-9]+([._-]?[A-Za-z0-9]+)*(/[A-Za-z0-9]+([._-]?[A-Za-z0-9]+)*)*$'";
        List<String> terms = new ArrayList<>();
        terms.add("size(" + pool + ") > " + MAX_NATIVE_CONTAINERS);
        terms.add(pool + ".exists(c, has(c.volumeMounts) && c.volumeMounts.exists(m, m.mountPath.contains('/..')))");
        if (!envs.isEmpty()) {
            String moving = "c.env.filter(e, e.name in " + list(List.copyOf(envs)) + ")";
            terms.add(pool + ".exists(c, has(c.env) && (" + moving + ".exists(e, has(e.value) && e.value.startsWith('/') && !e.value.matches("
                    + plain + ")) || size(" + moving + ") != size(" + moving + ".map(e, e.name).distinct())))");
        }
        if (!flags.isEmpty()) {
            String words = NativeCatalog.words("c");
            for (String f : flags) {
                String uses = words + ".filter(w, w == " + quote(f) + " || w.startsWith(" + quote(f + "=") + "))";
                terms.add(pool + ".exists(c, size(" + uses + ") > 1 || " + words + ".exists(w, w.startsWith(" + quote(f + "=/") + ") && !w.substring("
                        + (f.length() + 1) + ").matches(" + plain + ")) || (" + words + ".exists(w, w == " + quote(f) + ") && "
                        + words + ".exists(w, w.startsWith('/') && !w.matches(" + plain + "))))");
            }
        }
        if (mutating) {
            // Validation sees the record the mutation wrote: only the mutation merges an earlier one.
            terms.add("(" + object + ".kind == 'Pod' && has(" + object + ".metadata.annotations) && '" + dev.rofsguard.podspec.Annotations.MUTATED
                    + "' in " + object + ".metadata.annotations)");
        }
        return String.join(" || ", terms);
    }

    /** A Windows pod spec (spec.os or the node selector): readOnlyRootFilesystem does not apply, as in the Java judge. */
    static String windows(String spec) {
        return "(has(" + spec + ".os) && has(" + spec + ".os.name) && " + spec + ".os.name == 'windows') || (has(" + spec
                + ".nodeSelector) && 'kubernetes.io/os' in " + spec + ".nodeSelector && " + spec + ".nodeSelector['kubernetes.io/os'] == 'windows')";
    }

    static String compliant(String c) {
        return "has(" + c + ".securityContext) && has(" + c + ".securityContext.readOnlyRootFilesystem) && "
                + c + ".securityContext.readOnlyRootFilesystem == true";
    }

    static String exempt(PolicyConfig policy, String c) {
        List<String> terms = new ArrayList<>();
        List<String> names = policy.exemptContainers().stream().filter(n -> !n.contains("/")).sorted().toList();
        List<String> qualified = policy.exemptContainers().stream().filter(n -> n.contains("/")).sorted().toList();
        if (!names.isEmpty()) {
            terms.add(c + ".name in " + list(names));
        }
        if (!qualified.isEmpty()) {
            terms.add("(request.namespace + '/' + " + c + ".name) in " + list(qualified));
        }
        for (ImagePattern p : policy.exemptImages()) {
            terms.add(c + ".image.matches(" + quote(p.rawRegex()) + ")");
        }
        return terms.isEmpty() ? "false" : String.join(" || ", terms);
    }

    static String annotationExempt(PolicyConfig policy) {
        if (policy.annotationNamespaces().isEmpty()) {
            return "false";
        }
        String inNamespace = policy.annotationNamespaces().contains("*") ? "true"
                : "request.namespace in " + list(policy.annotationNamespaces().stream().sorted().toList());
        String meta = byKind(policy, "object", Part.METADATA);
        return inNamespace + " && has(" + meta + ".annotations) && 'rofs-guard.dev/exempt' in " + meta + ".annotations && "
                + meta + ".annotations['rofs-guard.dev/exempt'].trim() != ''";
    }

    private enum Part { SPEC, METADATA, TEMPLATE }

    /**
     * Where a part of the pod lives, by kind, from the one table of kinds: nested conditionals over
     * {@code object.kind}, the common {@code spec.template} last.
     */
    private static String byKind(PolicyConfig policy, String object, Part part) {
        StringBuilder s = new StringBuilder("(");
        for (WorkloadKind k : policy.workloadKinds().all()) {
            List<String> path = switch (part) {
                case SPEC -> k.podSpecPath();
                case METADATA -> k.podMetadataPath();
                case TEMPLATE -> k.isPod() ? List.of() : k.templatePath();
            };
            if (k.isPod() && part == Part.TEMPLATE) {
                continue;
            }
            if (path.equals(WorkloadKind.withPodTemplate("", "x").podSpecPath()) || path.equals(List.of("spec", "template", "metadata"))
                    || path.equals(List.of("spec", "template"))) {
                continue;
            }
            s.append(object).append(".kind == ").append(quote(k.kind())).append(" ? ").append(object).append('.')
                    .append(String.join(".", path)).append(" : ");
        }
        String common = switch (part) {
            case SPEC -> "spec.template.spec";
            case METADATA -> "spec.template.metadata";
            case TEMPLATE -> "spec.template";
        };
        return s.append(object).append('.').append(common).append(')').toString();
    }

    private static String plural(String kind) {
        String lower = kind.toLowerCase(java.util.Locale.ROOT);
        return lower.endsWith("s") ? lower + "es" : lower + "s";
    }

    static String list(List<String> values) {
        return values.stream().map(NativePolicies::quote).collect(Collectors.joining(", ", "[", "]"));
    }

    private static ArrayNode strings(List<String> values) {
        ArrayNode a = N.arrayNode();
        values.forEach(a::add);
        return a;
    }

    /** A CEL string literal: single-quoted, with backslashes and quotes escaped. */
    static String quote(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}

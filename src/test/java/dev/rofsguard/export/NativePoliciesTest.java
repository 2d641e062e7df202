package dev.rofsguard.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.NullValue;
import dev.cel.extensions.CelExtensions;
import dev.rofsguard.Fixtures;
import dev.rofsguard.admission.AdmissionRequest;
import dev.rofsguard.admission.AdmissionReviews;
import dev.rofsguard.engine.Judge;
import dev.rofsguard.engine.Origin;
import dev.rofsguard.policy.Decision;
import dev.rofsguard.policy.Mode;
import dev.rofsguard.policy.Outcome;
import dev.rofsguard.policy.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The native policies against the Java judge, on every AdmissionReview fixture and several policies: the CEL runs in
 * cel-java (the same language and string extension as the API server), the bindings' namespace routing and the
 * resource rules are applied as the API server applies them, and "denied in enforce" must agree with the webhook's
 * {@code /validate/enforce/no-mutation} (the native engine does not mutate yet). Specs the API server itself would
 * refuse (the judge's errors) are left to the API server and not compared.
 */
class NativePoliciesTest {

    private static final Cel CEL = CelFactory.standardCelBuilder()
            .setStandardMacros(dev.cel.parser.CelStandardMacro.STANDARD_MACROS)
            .addCompilerLibraries(CelExtensions.strings()).addRuntimeLibraries(CelExtensions.strings())
            .addVar("object", SimpleType.DYN).addVar("oldObject", SimpleType.DYN).addVar("request", SimpleType.DYN)
            .addVar("variables", SimpleType.DYN)
            // Kubernetes' own CEL libraries the policies use that cel-java does not have: lists' indexOf, regex find.
            .addFunctionDeclarations(
                    dev.cel.common.CelFunctionDecl.newFunctionDeclaration("indexOf", dev.cel.common.CelOverloadDecl.newMemberOverload(
                            "k8s_list_index_of", SimpleType.INT, dev.cel.common.types.ListType.create(SimpleType.DYN), SimpleType.DYN)),
                    dev.cel.common.CelFunctionDecl.newFunctionDeclaration("find", dev.cel.common.CelOverloadDecl.newMemberOverload(
                            "k8s_string_find", SimpleType.STRING, SimpleType.STRING, SimpleType.STRING)))
            .addFunctionBindings(
                    dev.cel.runtime.CelFunctionBinding.from("k8s_list_index_of", List.class, Object.class, (l, x) -> (long) l.indexOf(x)),
                    dev.cel.runtime.CelFunctionBinding.from("k8s_string_find", String.class, String.class, (s, re) -> {
                        java.util.regex.Matcher m = java.util.regex.Pattern.compile(re).matcher(s);
                        return m.find() ? m.group() : "";
                    }))
            .build();

    static Stream<String[]> cases() throws Exception {
        List<String[]> cases = new ArrayList<>();
        try (Stream<Path> files = Files.list(Fixtures.path("admission"))) {
            for (String fixture : files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted().toList()) {
                for (String policy : List.of("-", "exempt-images.yaml", "exempt-containers.yaml", "annotations-allowed.yaml",
                        "ephemeral-warn.yaml", "extra-kinds.yaml")) {
                    cases.add(new String[] {fixture, policy});
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} [{1}]")
    @MethodSource("cases")
    void nativeAndWebhookDenyTheSame(String fixture, String policy) throws Exception {
        Judge judge = Fixtures.engine(policy);
        AdmissionRequest request = AdmissionReviews.parse(Fixtures.review(fixture));
        // A workload's containers the mutation will fix pass (as at /validate/enforce); a Pod is judged as written here,
        // since the MutatingAdmissionPolicy that would run first is not applied in this test (NativeAdmissionE2E does).
        boolean pod = "Pod".equals(request.kind()) && request.group().isEmpty();
        Verdict verdict = judge.judge(request.subject(), Origin.admission(!pod)).verdict();
        if (verdict.outcome() == Outcome.ERROR) {
            return;
        }
        boolean webhookDenies = !Decision.decide(verdict, Mode.ENFORCE, judge.config().policy()).allowed();

        List<ObjectNode> compiled = NativePolicies.compile(judge.config());
        JsonNode review = Fixtures.json("admission/" + fixture).path("request");
        boolean nativeDenies = false;
        List<String> messages = new ArrayList<>();
        for (ObjectNode p : compiled) {
            if (!p.path("kind").asText().equals("ValidatingAdmissionPolicy")) {
                continue;
            }
            ObjectNode binding = compiled.stream().filter(b -> b.path("kind").asText().endsWith("Binding")
                    && b.at("/spec/policyName").asText().equals(p.at("/metadata/name").asText())
                    && b.at("/metadata/name").asText().startsWith("enforce.")).findFirst().orElseThrow();
            if (!matches(p, binding, review, judge)) {
                continue;
            }
            String failed = evaluate(p, review);
            if (failed != null && binding.at("/spec/validationActions").toString().contains("Deny")) {
                nativeDenies = true;
                messages.add(failed);
            }
        }
        assertThat(nativeDenies).as(verdict.reason() + " / native: " + messages).isEqualTo(webhookDenies);
        if (nativeDenies) {
            verdict.violations().forEach(v -> assertThat(String.join("\n", messages)).contains("\"" + v.container() + "\""));
        }
    }

    /** The policy's resource rules and the binding's namespace routing, as the API server matches them. */
    private static boolean matches(ObjectNode policy, ObjectNode binding, JsonNode review, Judge judge) {
        String operation = review.path("operation").asText();
        String group = review.at("/kind/group").asText();
        String resource = review.at("/resource/resource").asText() + (review.hasNonNull("subResource") ? "/" + review.path("subResource").asText() : "");
        boolean ruleMatches = false;
        for (JsonNode rule : policy.at("/spec/matchConstraints/resourceRules")) {
            boolean g = rule.path("apiGroups").toString().contains("\"" + group + "\"");
            boolean o = rule.path("operations").toString().contains("\"" + operation + "\"");
            boolean r = rule.path("resources").toString().contains("\"" + resource + "\"");
            ruleMatches |= g && o && r;
        }
        if (!ruleMatches) {
            return false;
        }
        // The namespace carries no rofs-guard.dev/mode label in these fixtures: the default mode's binding routes it.
        String namespace = review.path("namespace").asText();
        for (JsonNode e : binding.at("/spec/matchResources/namespaceSelector/matchExpressions")) {
            boolean in = e.path("values").toString().contains("\"" + (e.path("key").asText().equals("kubernetes.io/metadata.name") ? namespace : "") + "\"");
            if (e.path("operator").asText().equals("In") && !in || e.path("operator").asText().equals("NotIn") && in) {
                return false;
            }
        }
        return true;
    }

    /** The policy's message when it denies, null when it admits; an evaluation error denies (failurePolicy: Fail). */
    private static String evaluate(ObjectNode policy, JsonNode review) throws Exception {
        Map<String, Object> vars = new HashMap<>();
        vars.put("object", value(review.get("object")));
        vars.put("oldObject", value(review.get("oldObject")));
        vars.put("request", value(review));
        Map<String, Object> variables = new LinkedHashMap<>();
        vars.put("variables", variables);
        try {
            for (JsonNode c : policy.at("/spec/matchConditions")) {
                if (!Boolean.TRUE.equals(eval(c.path("expression").asText(), vars))) {
                    return null;
                }
            }
            for (JsonNode v : policy.at("/spec/variables")) {
                variables.put(v.path("name").asText(), eval(v.path("expression").asText(), vars));
            }
            JsonNode validation = policy.at("/spec/validations/0");
            if (Boolean.TRUE.equals(eval(validation.path("expression").asText(), vars))) {
                return null;
            }
            return String.valueOf(eval(validation.path("messageExpression").asText(), vars));
        } catch (dev.cel.common.CelValidationException | dev.cel.runtime.CelEvaluationException e) {
            return "evaluation error: " + e.getMessage();
        }
    }

    /** Compiled once per expression: the catalog's expressions are large and shared by every case. */
    private static final Map<String, dev.cel.runtime.CelRuntime.Program> PROGRAMS = new java.util.concurrent.ConcurrentHashMap<>();

    private static Object eval(String expression, Map<String, Object> vars) throws Exception {
        dev.cel.runtime.CelRuntime.Program program = PROGRAMS.get(expression);
        if (program == null) {
            program = CEL.createProgram(CEL.compile(expression).getAst());
            PROGRAMS.put(expression, program);
        }
        return program.eval(vars);
    }

    /** JSON as CEL sees it: maps, lists, strings, int64, double, bool, null. */
    static Object value(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return NullValue.NULL_VALUE;
        }
        if (n.isObject()) {
            Map<String, Object> m = new LinkedHashMap<>();
            n.fields().forEachRemaining(e -> m.put(e.getKey(), value(e.getValue())));
            return m;
        }
        if (n.isArray()) {
            List<Object> l = new ArrayList<>();
            n.forEach(x -> l.add(value(x)));
            return l;
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        if (n.isIntegralNumber()) {
            return n.longValue();
        }
        if (n.isNumber()) {
            return n.doubleValue();
        }
        return n.asText();
    }
}

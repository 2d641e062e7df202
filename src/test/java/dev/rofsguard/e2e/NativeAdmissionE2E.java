package dev.rofsguard.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rofsguard.Fixtures;
import dev.rofsguard.admission.AdmissionRequest;
import dev.rofsguard.admission.AdmissionReviews;
import dev.rofsguard.config.PolicyLoader;
import dev.rofsguard.engine.EngineConfig;
import dev.rofsguard.engine.Judge;
import dev.rofsguard.engine.Origin;
import dev.rofsguard.export.NativePolicies;
import dev.rofsguard.policy.Operation;
import dev.rofsguard.policy.Outcome;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The native engine against the webhook, both through the real API server. Every AdmissionReview fixture (the
 * catalog golden cases among them) is created (server-side dry-run) in a namespace labelled enforce twice: once with
 * the exported ValidatingAdmissionPolicies and MutatingAdmissionPolicies installed, once with the packaged webhook
 * registered as deploy/ ships it, from the same policy. Compared: admitted or not, the status code, the containers
 * the denial names, and the stored object apart from the names of the volumes rofs-guard adds (CEL has no hash).
 * Then the added pod-create latency: native, webhook and none, on the same API server, in one run.
 */
@ExtendWith(KubeApiServer.class)
class NativeAdmissionE2E {

    private static final String NS = "native-diff";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static KubernetesClient k;
    private static Judge judge;
    private static EngineConfig config;
    private static double hybridReviews;
    /** As compiled (no resourceVersion), to create again. */
    private static final List<GenericKubernetesResource> installed = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        k = KubeApiServer.client();
        k.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS)
                .addToLabels(NativePoliciesLabels.MODE, "enforce").endMetadata().build()).createOr(r -> r.update());
        Path policy = KubeApiServer.WORK.resolve("native-policy.yaml");
        Files.createDirectories(KubeApiServer.WORK);
        Files.writeString(policy, WebhookProcess.shippedPolicy());
        config = PolicyLoader.load(policy, null);
        judge = new Judge(config);
        for (ObjectNode o : NativePolicies.compile(config)) {
            installed.add(k.getKubernetesSerialization().unmarshal(o.toString(), GenericKubernetesResource.class));
        }
    }

    @AfterAll
    static void tearDown() {
        if (k != null) {
            uninstallNative();
        }
    }

    private static void installNative() throws Exception {
        installed.forEach(r -> k.resource(r).createOr(x -> x.update()));
        // Policies and bindings take effect asynchronously: wait until a known image is patched and a bare one denied.
        await("the native policies never took effect", () -> denied(pod("probe", "ghcr.io/acme/api:1")) && (!servesMutatingPolicies() || patched(pod("probe-nginx", "nginx:1.27"))));
    }

    /** Admission configuration takes effect asynchronously: polls until {@code done}, for a minute at most. */
    private static void await(String never, java.util.concurrent.Callable<Boolean> done) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (!done.call()) {
            assertThat(System.currentTimeMillis()).as(never).isLessThan(deadline);
            Thread.sleep(500);
        }
    }

    private static void uninstallNative() {
        installed.forEach(r -> k.resource(r).delete());
    }

    private static void awaitNoAdmission() throws Exception {
        await("admission still active", () -> !denied(pod("probe", "ghcr.io/acme/api:1")));
    }

    static GenericKubernetesResource pod(String name, String image) {
        String json = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"" + NS + "\"},"
                + "\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"" + image + "\"}]}}";
        return k.getKubernetesSerialization().unmarshal(json, GenericKubernetesResource.class);
    }

    static boolean denied(GenericKubernetesResource r) {
        try {
            k.resource(r).dryRun().create();
            return false;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 403 && e.getMessage().contains("rofs-guard")) {
                return true;
            }
            throw e;
        }
    }

    /** The pod with an unusual mount path (one the native policies leave to the webhook in a hybrid install). */
    static boolean patched(GenericKubernetesResource r, String mountPath) {
        r.setAdditionalProperty("spec", java.util.Map.of("containers", List.of(java.util.Map.of("name", "app", "image", "nginx:1.27",
                "volumeMounts", List.of(java.util.Map.of("name", "d", "mountPath", mountPath)))), "volumes",
                List.of(java.util.Map.of("name", "d", "emptyDir", java.util.Map.of()))));
        return patched(r);
    }

    static boolean patched(GenericKubernetesResource r) {
        try {
            GenericKubernetesResource stored = k.resource(r).dryRun().create();
            return stored.getMetadata().getAnnotations() != null && stored.getMetadata().getAnnotations().containsKey("rofs-guard.dev/mutated");
        } catch (KubernetesClientException e) {
            return false;
        }
    }

    /** One fixture's answer from the API server: the stored object, or the status code and message. */
    record Answer(int code, String message, JsonNode stored) {
    }

    /** The CREATE fixtures both engines judge (specs the API server itself refuses are left to it: the judge's errors). */
    private static Map<String, ObjectNode> fixtures() throws Exception {
        Map<String, ObjectNode> out = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(Fixtures.path("admission"))) {
            for (String fixture : files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted().toList()) {
                AdmissionRequest request = AdmissionReviews.parse(Fixtures.review(fixture));
                if (request.operation() != Operation.CREATE || request.object() == null || !request.object().isObject()
                        || request.subResource() != null) {
                    continue;
                }
                ObjectNode object = request.object().deepCopy();
                ObjectNode meta = object.with("metadata");
                meta.put("namespace", NS);
                meta.remove(List.of("uid", "resourceVersion", "creationTimestamp", "ownerReferences", "managedFields"));
                if (!meta.hasNonNull("name") || meta.path("name").asText().isEmpty()) {
                    meta.put("name", fixture.replace(".json", "").replaceAll("[^a-z0-9-]", "-"));
                }
                AdmissionRequest here = new AdmissionRequest(request.uid(), request.group(), request.version(), request.kind(),
                        null, meta.path("name").asText(), NS, Operation.CREATE, true, object, null);
                if (!judge.judges(here.subject()) || judge.judge(here.subject(), Origin.admission(true)).verdict().outcome() == Outcome.ERROR) {
                    continue;
                }
                out.put(fixture, object);
            }
        }
        return out;
    }

    private static Map<String, Answer> createAll(Map<String, ObjectNode> fixtures) {
        Map<String, Answer> answers = new LinkedHashMap<>();
        fixtures.forEach((name, object) -> {
            GenericKubernetesResource r = k.getKubernetesSerialization().unmarshal(object.toString(), GenericKubernetesResource.class);
            try {
                GenericKubernetesResource stored = k.resource(r).dryRun().create();
                answers.put(name, new Answer(201, "", JSON.valueToTree(stored)));
            } catch (KubernetesClientException e) {
                answers.put(name, new Answer(e.getCode(), String.valueOf(e.getStatus() == null ? e.getMessage() : e.getStatus().getMessage()), null));
            }
        });
        return answers;
    }

    /**
     * Pods the native policies cannot answer exactly (their named limits): a hybrid install sends them to the webhook,
     * where they must get the webhook's answer.
     */
    private static Map<String, ObjectNode> routedToTheWebhook() throws Exception {
        Map<String, ObjectNode> out = new LinkedHashMap<>();
        out.put("dot-dot mount path", (ObjectNode) JSON.readTree("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"dotdot\","
                + "\"namespace\":\"" + NS + "\"},\"spec\":{\"containers\":[{\"name\":\"db\",\"image\":\"postgres:17\",\"volumeMounts\":"
                + "[{\"name\":\"data\",\"mountPath\":\"/var/lib/../lib/postgresql/data\"}]}],\"volumes\":[{\"name\":\"data\",\"emptyDir\":{}}]}}"));
        out.put("PGDATA written with a double slash", (ObjectNode) JSON.readTree("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"pgdata\","
                + "\"namespace\":\"" + NS + "\"},\"spec\":{\"containers\":[{\"name\":\"db\",\"image\":\"postgres:17\",\"env\":[{\"name\":\"PGDATA\","
                + "\"value\":\"/pg//data\"}],\"volumeMounts\":[{\"name\":\"data\",\"mountPath\":\"/pg\"}]}],\"volumes\":[{\"name\":\"data\",\"emptyDir\":{}}]}}"));
        out.put("an earlier mutation record", (ObjectNode) JSON.readTree("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"recorded\","
                + "\"namespace\":\"" + NS + "\",\"annotations\":{\"rofs-guard.dev/mutated\":\"{\\\"old\\\":{\\\"entry\\\":\\\"x\\\"}}\"}},"
                + "\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"nginx:1.27\"}]}}"));
        ObjectNode big = (ObjectNode) JSON.readTree("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"big\",\"namespace\":\""
                + NS + "\"},\"spec\":{\"containers\":[]}}");
        for (int i = 0; i < 300; i++) {
            ((com.fasterxml.jackson.databind.node.ArrayNode) big.at("/spec/containers")).addObject().put("name", "web-" + i).put("image", "nginx:1.27");
        }
        out.put("300 containers", big);
        return out;
    }

    private static Map<String, Answer> withWebhook(Map<String, ObjectNode> objects, java.util.function.Function<String, String> condition)
            throws Exception {
        try (ShippedWebhooks webhook = ShippedWebhooks.start(k, condition)) {
            await("the webhook never took effect", () -> denied(pod("probe", "ghcr.io/acme/api:1")) && (condition == null || patched(pod("probe-routed", "nginx:1.27"), "/tmp/../data")));
            double before = webhook.reviews();
            Map<String, Answer> answers = createAll(objects);
            double reviews = webhook.reviews() - before;
            if (condition != null) {
                // The native policies answered the rest: the webhooks saw the routed pods (mutate and validate each), and
                // the mutating one also the pods the native mutation recorded (the record is how an earlier mutation is
                // told, and the webhook merges it; it finds nothing more to do).
                assertThat(reviews).as("reviews the hybrid webhooks answered").isGreaterThanOrEqualTo(4).isLessThan(objects.size());
                hybridReviews = reviews;
            } else {
                assertThat(reviews).as("reviews the webhook answered").isGreaterThan(objects.size());
            }
            return answers;
        }
    }

    /** MutatingAdmissionPolicy v1 is served from Kubernetes 1.36; before, only the validation runs natively. */
    private static boolean servesMutatingPolicies() {
        return k.getApiResources("admissionregistration.k8s.io/v1").getResources().stream()
                .anyMatch(r -> r.getName().equals("mutatingadmissionpolicies"));
    }

    /**
     * On an API server without MutatingAdmissionPolicy (1.30–1.35) the export's validating half alone, compiled with
     * the mutation off, must deny what the Java judge denies without mutation ({@code /validate/<mode>/no-mutation}).
     */
    @Test
    void validationAloneWhereMutatingPoliciesAreNotServed() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(servesMutatingPolicies(), "this server runs the whole native engine: see the differential");
        EngineConfig validationOnly = new EngineConfig(config.policy(), new dev.rofsguard.mutation.MutationConfig(false, false, false, false,
                config.mutation().debugScratchSizeLimit()), config.catalog());
        Judge noMutation = new Judge(validationOnly);
        installed.clear();
        NativePolicies.compile(validationOnly).forEach(o -> installed.add(k.getKubernetesSerialization().unmarshal(o.toString(),
                GenericKubernetesResource.class)));
        installed.forEach(r -> k.resource(r).createOr(x -> x.update()));
        await("the native policies never took effect", () -> denied(pod("probe", "ghcr.io/acme/api:1")));
        Map<String, ObjectNode> fixtures = fixtures();
        Map<String, Answer> answers = createAll(fixtures);
        uninstallNative();
        org.assertj.core.api.SoftAssertions soft = new org.assertj.core.api.SoftAssertions();
        for (Map.Entry<String, ObjectNode> f : fixtures.entrySet()) {
            ObjectNode object = f.getValue();
            String group = object.path("apiVersion").asText().contains("/") ? object.path("apiVersion").asText().split("/")[0] : "";
            AdmissionRequest request = new AdmissionRequest("u", group, "v1", object.path("kind").asText(), null,
                    object.at("/metadata/name").asText(), NS, Operation.CREATE, true, object, null);
            boolean judgeDenies = !dev.rofsguard.policy.Decision.decide(noMutation.judge(request.subject(), Origin.admission(false)).verdict(),
                    dev.rofsguard.policy.Mode.ENFORCE, validationOnly.policy()).allowed();
            Answer a = answers.get(f.getKey());
            if (a.code() == 400 || a.code() == 422) {
                continue; // the API server's own validation refused the fixture's shape
            }
            soft.assertThat(a.code() == 403).as(f.getKey() + ": " + a.message()).isEqualTo(judgeDenies);
        }
        soft.assertAll();
    }

    @Test
    void nativeAndWebhookAnswerTheSameThroughTheApiServer() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(servesMutatingPolicies(),
                "MutatingAdmissionPolicy v1 needs Kubernetes 1.36+: see validationAloneWhereMutatingPoliciesAreNotServed");
        Map<String, ObjectNode> fixtures = fixtures();
        Map<String, ObjectNode> all = new LinkedHashMap<>(fixtures);
        all.putAll(routedToTheWebhook());
        installNative();
        Map<String, Answer> nativeAnswers = createAll(fixtures);
        uninstallNative();
        awaitNoAdmission();
        Map<String, Answer> webhookAnswers = withWebhook(all, null);
        awaitNoAdmission();
        // Hybrid: the native policies leave the routed cases alone, the webhooks take only those.
        installed.clear();
        NativePolicies.compile(config, true).forEach(o -> installed.add(k.getKubernetesSerialization().unmarshal(o.toString(),
                GenericKubernetesResource.class)));
        installNative();
        Map<String, Answer> hybridAnswers = withWebhook(all, kind -> NativePolicies.webhookCondition(config, kind.startsWith("Mutating")));
        uninstallNative();
        compare("hybrid", all, hybridAnswers, webhookAnswers);
        Files.writeString(KubeApiServer.WORK.resolve("hybrid-reviews.txt"), String.format("hybrid: %d objects created, the webhooks "
                + "answered %.0f reviews (webhook alone: about two per object)%n", all.size(), hybridReviews));
        List<String> lines = compare("native", fixtures, nativeAnswers, webhookAnswers);
        assertThat(lines).as("fixtures compared").hasSizeGreaterThan(60);
        assertThat(lines.stream().filter(l -> l.endsWith(" 201"))).as("fixtures admitted (stored objects compared)").hasSizeGreaterThan(20);
        Files.writeString(KubeApiServer.WORK.resolve("native-differential.txt"), String.join("\n", lines) + "\n");
    }

    private static List<String> compare(String engine, Map<String, ObjectNode> fixtures, Map<String, Answer> nativeAnswers,
                                        Map<String, Answer> webhookAnswers) {
        List<String> lines = new ArrayList<>();
        org.assertj.core.api.SoftAssertions soft = new org.assertj.core.api.SoftAssertions();
        for (String fixture : fixtures.keySet()) {
            Answer n = nativeAnswers.get(fixture);
            Answer w = webhookAnswers.get(fixture);
            soft.assertThat(n.code()).as(engine + " " + fixture + ": status code, " + engine + " '" + n.message() + "' / webhook '" + w.message() + "'").isEqualTo(w.code());
            if (n.code() != w.code()) {
                continue;
            }
            if (n.stored() == null) {
                soft.assertThat(named(fixtures.get(fixture), n.message())).as(engine + " " + fixture + ": containers the denial names, " + engine + " '" + n.message()
                        + "' / webhook '" + w.message() + "'").isEqualTo(named(fixtures.get(fixture), w.message()));
            } else {
                soft.assertThat(normalised(n.stored()).toPrettyString()).as(engine + " " + fixture + ": stored object (volume names aside)")
                        .isEqualTo(normalised(w.stored()).toPrettyString());
            }
            lines.add(fixture + " " + n.code());
        }
        soft.assertAll();
        return lines;
    }

    /** kubectl debug: the ephemeral container gets the flag from either engine, and debugging goes through. */
    @Test
    void kubectlDebugUnderBothEngines() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(servesMutatingPolicies(), "MutatingAdmissionPolicy v1 needs Kubernetes 1.36+");
        Map<String, JsonNode> debugged = new LinkedHashMap<>();
        installed.clear();
        NativePolicies.compile(config).forEach(o -> installed.add(k.getKubernetesSerialization().unmarshal(o.toString(),
                GenericKubernetesResource.class)));
        installNative();
        debugged.put("native", debug("dbg-native"));
        uninstallNative();
        awaitNoAdmission();
        try (ShippedWebhooks webhook = ShippedWebhooks.start(k)) {
            await("the webhook never took effect", () -> denied(pod("probe", "ghcr.io/acme/api:1")));
            debugged.put("webhook", debug("dbg-webhook"));
        }
        debugged.forEach((engine, c) -> assertThat(c.at("/securityContext/readOnlyRootFilesystem").asBoolean(false))
                .as(engine + ": " + c).isTrue());
        assertThat(debugged.get("native").path("volumeMounts")).isEqualTo(debugged.get("webhook").path("volumeMounts"));
    }

    private static JsonNode debug(String name) throws Exception {
        k.resource(k.getKubernetesSerialization().unmarshal("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name
                + "\",\"namespace\":\"" + NS + "\"},\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"ghcr.io/acme/api:1\","
                + "\"securityContext\":{\"readOnlyRootFilesystem\":true}}]}}", GenericKubernetesResource.class)).create();
        java.net.http.HttpResponse<String> r = PodFeaturesE2E.debug(NS, name, "debugger");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return PodFeaturesE2E.ephemeral(JSON.readTree(r.body()), "debugger");
    }

    /** The pod's containers a denial names (quoted, as both engines write them). */
    private static TreeSet<String> named(ObjectNode object, String message) {
        TreeSet<String> names = new TreeSet<>();
        // Only the policy's own message: the API server's prefix quotes the object's name ('pods "api" is forbidden').
        java.util.regex.Matcher own = java.util.regex.Pattern.compile("rofs-guard(: | \\()").matcher(message);
        message = own.find() ? message.substring(own.start()) : message;
        JsonNode spec = podSpec(object.deepCopy());
        for (String list : List.of("initContainers", "containers", "ephemeralContainers")) {
            for (JsonNode c : spec == null ? List.<JsonNode>of() : spec.path(list)) {
                if (message.contains("\"" + c.path("name").asText() + "\"")) {
                    names.add(c.path("name").asText());
                }
            }
        }
        return names;
    }

    /**
     * The stored object without what differs per request (uid, timestamps, managed fields) and with the volumes
     * rofs-guard added named by where they are mounted, not by name (the webhook hashes long or taken names).
     */
    static JsonNode normalised(JsonNode stored) {
        ObjectNode o = stored.deepCopy();
        ObjectNode meta = (ObjectNode) o.get("metadata");
        meta.remove(List.of("uid", "resourceVersion", "creationTimestamp", "managedFields", "generation"));
        JsonNode spec = podSpec(o);
        if (spec == null) {
            return o;
        }
        Map<String, String> renamed = new HashMap<>();
        for (String list : List.of("initContainers", "containers")) {
            for (JsonNode c : spec.path(list)) {
                for (JsonNode m : c.path("volumeMounts")) {
                    String name = m.path("name").asText();
                    if (name.startsWith("rofs-") && !c.path("name").asText().startsWith("rofs-seed-")) {
                        renamed.putIfAbsent(name, "rofs-volume:" + c.path("name").asText() + ":" + m.path("mountPath").asText());
                    }
                }
            }
        }
        for (String list : List.of("initContainers", "containers", "ephemeralContainers")) {
            for (JsonNode c : spec.path(list)) {
                for (JsonNode m : c.path("volumeMounts")) {
                    ((ObjectNode) m).put("name", renamed.getOrDefault(m.path("name").asText(), m.path("name").asText()));
                }
            }
        }
        JsonNode volumes = spec.path("volumes");
        if (volumes.isArray()) {
            for (JsonNode v : volumes) {
                ((ObjectNode) v).put("name", renamed.getOrDefault(v.path("name").asText(), v.path("name").asText()));
            }
        }
        return o;
    }

    private static JsonNode podSpec(ObjectNode o) {
        if ("Pod".equals(o.path("kind").asText())) {
            return o.get("spec");
        }
        for (Iterator<JsonNode> it = o.findParents("containers").iterator(); it.hasNext(); ) {
            JsonNode parent = it.next();
            if (parent.path("containers").isArray()) {
                return parent;
            }
        }
        return null;
    }

    /**
     * A measurement: pod create (compliant nginx, the catalog adds its volumes) with nothing, with the native
     * policies and with the webhook, same API server, one run. What it checks: every create is admitted.
     */
    @Test
    void latencyNoneNativeWebhook() throws Exception {
        // The whole native engine; on 1.30-1.35 validation alone, as the export runs there.
        EngineConfig engine = servesMutatingPolicies() ? config : new EngineConfig(config.policy(), new dev.rofsguard.mutation.MutationConfig(
                false, false, false, false, config.mutation().debugScratchSizeLimit()), config.catalog());
        installed.clear();
        NativePolicies.compile(engine).forEach(o -> installed.add(k.getKubernetesSerialization().unmarshal(o.toString(),
                GenericKubernetesResource.class)));
        int n = 200;
        uninstallNative();
        awaitNoAdmission();
        double none = meanCreateMillis(n, "none");
        installNative();
        double nat = meanCreateMillis(n, "native");
        uninstallNative();
        awaitNoAdmission();
        double hook;
        try (ShippedWebhooks webhook = ShippedWebhooks.start(k)) {
            await("the webhook never took effect", () -> denied(pod("probe", "ghcr.io/acme/api:1")));
            hook = meanCreateMillis(n, "webhook");
        }
        String line = String.format("pod create (nginx, flag set, not dry-run), %d each, same API server, one run: none %.2f ms, "
                + "native %.2f ms (+%.2f), webhook %.2f ms (+%.2f)%n", n, none, nat, nat - none, hook, hook - none);
        Files.writeString(KubeApiServer.WORK.resolve("native-latency.txt"), line);
    }

    private static double meanCreateMillis(int n, String prefix) {
        for (int i = 0; i < 20; i++) { // warm the connection and the server's caches
            k.resource(compliant(prefix + "-warm-" + i)).create();
        }
        long total = 0;
        for (int i = 0; i < n; i++) {
            GenericKubernetesResource p = compliant(prefix + "-" + i);
            long t = System.nanoTime();
            k.resource(p).create();
            total += System.nanoTime() - t;
        }
        return total / 1e6 / n;
    }

    private static GenericKubernetesResource compliant(String name) {
        String json = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"" + NS + "\"},"
                + "\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"nginx:1.27\",\"securityContext\":{\"readOnlyRootFilesystem\":true}}]}}";
        return k.getKubernetesSerialization().unmarshal(json, GenericKubernetesResource.class);
    }

    /** Labels the policies route by. */
    private static final class NativePoliciesLabels {
        static final String MODE = "rofs-guard.dev/mode";
    }
}

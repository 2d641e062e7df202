package dev.rofsguard.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rofsguard.admission.AdmissionReviews;
import dev.rofsguard.deploy.DeployManifestsTest;
import dev.rofsguard.deploy.HelmChartTest;
import dev.rofsguard.manifest.Document;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What we ship, exactly as shipped (no field stripped), is accepted by a current API server, both ways users send it:
 * created (POST, as kubectl create and a first client-side apply do) and server-side applied, each as a dry run with
 * fieldValidation=Strict, so an unknown or misspelt field fails instead of being dropped in silence.
 */
@ExtendWith(KubeApiServer.class)
class ShippedManifestsE2E {

    static final String NAMESPACE = "rofs-guard";
    /** API groups of CRDs this bare API server does not have (cert-manager, the Prometheus operator). */
    static final Set<String> CRD_GROUPS = Set.of("cert-manager.io", "monitoring.coreos.com");
    static final Map<String, JsonNode> DISCOVERY = new HashMap<>();

    @BeforeAll
    static void namespace() {
        KubeApiServer.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
                .createOr(r -> r.update());
    }

    @Test
    void deployDirectory() throws Exception {
        List<String> kinds = dryRunAll(DeployManifestsTest.documents());
        assertThat(kinds).contains("Namespace", "ConfigMap", "Deployment", "Service", "ServiceAccount", "PodDisruptionBudget",
                "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration");
    }

    static List<String> chartVariants() {
        return List.copyOf(HelmChartTest.VARIANTS.keySet());
    }

    @ParameterizedTest(name = "chart {0}")
    @MethodSource("chartVariants")
    void chart(String variant) throws Exception {
        List<String> kinds = dryRunAll(dev.rofsguard.deploy.ChartRender.render(HelmChartTest.VARIANTS.get(variant)));
        if (variant.equals("native")) {
            assertThat(kinds).contains("Job", "ClusterRole", "ConfigMap").doesNotContain("Deployment"); // no server at all
        } else {
            assertThat(kinds).contains("Deployment", "Service", "ValidatingWebhookConfiguration");
        }
    }

    /** The check itself can fail: a misspelt field is refused under Strict (1.20 dropped it and said nothing). */
    @Test
    void aMisspeltFieldIsRefused() throws Exception {
        ObjectNode deployment = DeployManifestsTest.documents().stream().map(Document::object)
                .filter(o -> o.path("kind").asText().equals("Deployment")).findFirst().orElseThrow().deepCopy();
        ((ObjectNode) deployment.at("/spec/template/spec/containers/0")).put("imagePullPolicyy", "Always");
        HttpResponse<String> created = create(deployment);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(400);
        assertThat(created.body()).contains("strict decoding error").contains("imagePullPolicyy");
        // Server-side apply refuses it too, though the API server reports that as a 500 (a typed-patch error).
        HttpResponse<String> applied = apply(deployment);
        assertThat(applied.statusCode()).as(applied.body()).isNotEqualTo(200).isNotEqualTo(201);
        assertThat(applied.body()).contains("imagePullPolicyy: field not declared in schema");
    }

    /** Dry-runs every object (CRD kinds aside) and returns their kinds; fails listing every refusal. */
    static List<String> dryRunAll(List<Document> documents) throws Exception {
        List<String> kinds = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        Set<String> skipped = new TreeSet<>();
        for (Document d : documents) {
            JsonNode o = d.object();
            String group = o.path("apiVersion").asText().contains("/") ? o.path("apiVersion").asText().split("/")[0] : "";
            if (CRD_GROUPS.contains(group)) {
                skipped.add(o.path("kind").asText());
                continue;
            }
            String what = o.path("kind").asText() + "/" + o.at("/metadata/name").asText() + " (" + d.source() + ")";
            HttpResponse<String> created = create(o);
            // The namespace exists already (the namespaced objects need it): server-side apply covers it.
            boolean exists = created.statusCode() == 409 && o.path("kind").asText().equals("Namespace");
            if (created.statusCode() != 201 && !exists) {
                refused.add("create " + what + ": " + created.statusCode() + " " + created.body());
            }
            HttpResponse<String> applied = apply(o);
            if (applied.statusCode() / 100 != 2) {
                refused.add("server-side apply " + what + ": " + applied.statusCode() + " " + applied.body());
            }
            kinds.add(o.path("kind").asText());
        }
        assertThat(refused).as("refused by the API server").isEmpty();
        System.out.println("e2e: dry-run accepted " + kinds + (skipped.isEmpty() ? "" : "; CRD kinds not installed here: " + skipped));
        return kinds;
    }

    /** Server-side apply, dry run, strict field validation: what `kubectl apply --server-side --dry-run=server` sends. */
    static HttpResponse<String> apply(JsonNode object) throws Exception {
        return KubeApiServer.request("PATCH", collection(object) + "/" + object.at("/metadata/name").asText()
                        + "?dryRun=All&fieldValidation=Strict&fieldManager=rofs-guard-e2e&force=true",
                "application/apply-patch+yaml", AdmissionReviews.mapper().writeValueAsString(object));
    }

    /** Create, dry run, strict field validation: what `kubectl create --dry-run=server` sends. */
    static HttpResponse<String> create(JsonNode object) throws Exception {
        return KubeApiServer.request("POST", collection(object) + "?dryRun=All&fieldValidation=Strict&fieldManager=rofs-guard-e2e",
                "application/json", AdmissionReviews.mapper().writeValueAsString(object));
    }

    static String collection(JsonNode object) throws Exception {
        String apiVersion = object.path("apiVersion").asText();
        JsonNode resource = resource(apiVersion, object.path("kind").asText());
        String base = apiVersion.contains("/") ? "/apis/" + apiVersion : "/api/" + apiVersion;
        String namespace = object.at("/metadata/namespace").asText(NAMESPACE);
        return base + (resource.path("namespaced").asBoolean() ? "/namespaces/" + namespace : "") + "/" + resource.path("name").asText();
    }

    /** The kind's entry in the API server's discovery document: its plural name and whether it is namespaced. */
    static synchronized JsonNode resource(String apiVersion, String kind) throws Exception {
        JsonNode list = DISCOVERY.get(apiVersion);
        if (list == null) {
            HttpResponse<String> r = KubeApiServer.request("GET", apiVersion.contains("/") ? "/apis/" + apiVersion : "/api/" + apiVersion, null, null);
            assertThat(r.statusCode()).as(apiVersion + " is served: " + r.body()).isEqualTo(200);
            list = AdmissionReviews.mapper().readTree(r.body());
            DISCOVERY.put(apiVersion, list);
        }
        for (JsonNode res : list.path("resources")) {
            if (res.path("kind").asText().equals(kind) && !res.path("name").asText().contains("/")) {
                return res;
            }
        }
        throw new AssertionError(kind + " is not served under " + apiVersion);
    }
}

package dev.rofsguard.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rofsguard.admission.AdmissionReviews;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Pod features a 1.20 API server did not have: kubectl debug's ephemeral containers, spec.os. Shipped webhooks and policy. */
@ExtendWith(KubeApiServer.class)
class PodFeaturesE2E {

    static ShippedWebhooks webhooks;
    static KubernetesClient k;

    @BeforeAll
    static void start() throws Exception {
        k = KubeApiServer.client();
        namespace(k, "debug", Map.of("rofs-guard.dev/mode", "enforce"));
        namespace(k, "debug-nomut", Map.of("rofs-guard.dev/mode", "enforce", "rofs-guard.dev/mutation", "off")); // routed to /validate/enforce/no-mutation
        webhooks = ShippedWebhooks.start(k);
    }

    static void namespace(KubernetesClient k, String name, Map<String, String> labels) {
        k.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata().build())
                .createOr(r -> r.update());
    }

    @AfterAll
    static void stop() throws Exception {
        if (webhooks != null) {
            webhooks.close();
        }
    }

    /** What `kubectl debug -it target --image=busybox:1.36 --target=app` sends: a strategic merge patch on the subresource. */
    static HttpResponse<String> debug(String namespace, String pod, String container) throws Exception {
        String patch = "{\"spec\":{\"ephemeralContainers\":[{\"name\":\"" + container + "\",\"image\":\"busybox:1.36\","
                + "\"targetContainerName\":\"app\",\"stdin\":true,\"tty\":true,\"terminationMessagePolicy\":\"File\"}]}}";
        return KubeApiServer.request("PATCH", "/api/v1/namespaces/" + namespace + "/pods/" + pod + "/ephemeralcontainers",
                "application/strategic-merge-patch+json", patch);
    }

    static JsonNode ephemeral(JsonNode pod, String name) {
        for (JsonNode c : pod.at("/spec/ephemeralContainers")) {
            if (c.path("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no ephemeral container " + name + " in " + pod);
    }

    @Test
    void aDebugContainerIsMutatedThenJudged() throws Exception {
        k.pods().inNamespace("debug").resource(AdmissionE2E.pod("target", "ghcr.io/acme/api:1", true)).create();
        HttpResponse<String> r = debug("debug", "target", "debugger-1");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode stored = AdmissionReviews.mapper().readTree(k.getKubernetesSerialization().asJson(
                k.pods().inNamespace("debug").withName("target").get()));
        assertThat(ephemeral(stored, "debugger-1").at("/securityContext/readOnlyRootFilesystem").asBoolean(false))
                .as("the flag set by /mutate on pods/ephemeralcontainers").isTrue();
        assertThat(r.headers().allValues("Warning")).noneMatch(w -> w.contains("rofs-guard"));
    }

    @Test
    void withoutMutationTheDebugContainerIsJudgedInWarnModeUnderEnforce() throws Exception {
        k.pods().inNamespace("debug-nomut").resource(AdmissionE2E.pod("target", "ghcr.io/acme/api:1", true)).create();
        HttpResponse<String> r = debug("debug-nomut", "target", "debugger-1");
        assertThat(r.statusCode()).as("shipped policy: ephemeralContainers.mode warn lets debugging through: " + r.body()).isEqualTo(200);
        assertThat(r.headers().allValues("Warning")).anySatisfy(w -> assertThat(w)
                .contains("rofs-guard (enforce): ephemeralContainers \\\"debugger-1\\\"")
                .contains("set securityContext.readOnlyRootFilesystem: true"));
        JsonNode stored = AdmissionReviews.mapper().readTree(r.body());
        assertThat(ephemeral(stored, "debugger-1").at("/securityContext/readOnlyRootFilesystem").isMissingNode()).isTrue();
        // ...while a regular container is still enforced in that namespace
        HttpResponse<String> denied = KubeApiServer.request("POST", "/api/v1/namespaces/debug-nomut/pods", "application/json",
                k.getKubernetesSerialization().asJson(AdmissionE2E.pod("plain", "ghcr.io/acme/api:1", null)));
        assertThat(denied.statusCode()).as(denied.body()).isEqualTo(403);
        assertThat(denied.body()).contains("rofs-guard (enforce): Pod debug-nomut/plain");
    }

    /**
     * A Windows pod (spec.os.name) is skipped with a warning and left unpatched: Windows has no read-only root
     * filesystem, and the API server refuses securityContext.readOnlyRootFilesystem on a Windows pod, so patching it
     * would make the pod invalid.
     */
    @Test
    void aWindowsPodIsSkippedWithItsWarning() throws Exception {
        Pod win = AdmissionE2E.pod("win", "mcr.microsoft.com/windows/nanoserver:ltsc2022", null);
        win.getSpec().setOs(new io.fabric8.kubernetes.api.model.PodOSBuilder().withName("windows").build());
        HttpResponse<String> r = KubeApiServer.request("POST", "/api/v1/namespaces/debug/pods", "application/json",
                k.getKubernetesSerialization().asJson(win));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        assertThat(r.headers().allValues("Warning")).anySatisfy(w -> assertThat(w)
                .contains("rofs-guard (enforce): skipped: Windows pod (spec.os.name is windows)"));
        JsonNode stored = AdmissionReviews.mapper().readTree(r.body());
        assertThat(stored.at("/spec/containers/0/securityContext").isMissingNode()).isTrue();
        assertThat(stored.at("/metadata/annotations/rofs-guard.dev~1mutated").isMissingNode()).isTrue();
        // Why no patch: the API server itself refuses the flag on a Windows pod (kube-system: no webhook is called).
        Pod flagged = AdmissionE2E.pod("win-flagged", "mcr.microsoft.com/windows/nanoserver:ltsc2022", true);
        flagged.getSpec().setOs(win.getSpec().getOs());
        HttpResponse<String> invalid = KubeApiServer.request("POST", "/api/v1/namespaces/kube-system/pods?dryRun=All", "application/json",
                k.getKubernetesSerialization().asJson(flagged));
        assertThat(invalid.statusCode()).as(invalid.body()).isEqualTo(422);
        assertThat(invalid.body()).contains("readOnlyRootFilesystem");
        // The same pod for Linux is refused: the skip is the OS, nothing else.
        HttpResponse<String> linux = KubeApiServer.request("POST", "/api/v1/namespaces/debug/pods", "application/json",
                k.getKubernetesSerialization().asJson(AdmissionE2E.pod("not-win", "mcr.microsoft.com/windows/nanoserver:ltsc2022", null)));
        assertThat(linux.statusCode()).as(linux.body()).isEqualTo(403);
    }
}

package dev.rofsguard.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/** The API server itself calls rofs-guard: what it accepts, stores and refuses. */
@ExtendWith(KubeApiServer.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdmissionE2E {

    static final String MODE_LABEL = "rofs-guard.dev/mode";
    static ShippedWebhooks webhooks;
    static KubernetesClient k;

    @BeforeAll
    static void startWebhookAndRegister() throws Exception {
        k = KubeApiServer.client();
        namespace("shop", "enforce");
        namespace("team-warn", "warn");
        namespace("legacy", "audit");
        namespace("soak", "enforce");
        namespace("fresh", null); // as every namespace is on the day deploy/ is installed
        webhooks = ShippedWebhooks.start(k);
    }

    @AfterAll
    static void stop() throws Exception {
        if (webhooks != null) {
            webhooks.close();
        }
    }

    static void namespace(String name, String mode) {
        k.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name)
                .withLabels(mode == null ? Map.of() : Map.of(MODE_LABEL, mode)).endMetadata().build()).createOr(r -> r.update());
    }

    static Pod pod(String name, String image, Boolean readOnly) {
        PodBuilder b = new PodBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .addNewContainer().withName("app").withImage(image).endContainer().endSpec();
        Pod p = b.build();
        if (readOnly != null) {
            p.getSpec().getContainers().get(0).setSecurityContext(new io.fabric8.kubernetes.api.model.SecurityContextBuilder()
                    .withReadOnlyRootFilesystem(readOnly).build());
        }
        return p;
    }

    @Test
    @Order(1)
    void aNonCompliantPodIsDeniedWithOurMessage() {
        assertThatThrownBy(() -> k.pods().inNamespace("shop").resource(pod("bad", "ghcr.io/acme/api:1", null)).create())
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("denied the request")
                .hasMessageContaining("rofs-guard (enforce): Pod shop/bad")
                .hasMessageContaining("containers \"app\" has no securityContext");
        assertThat(k.pods().inNamespace("shop").withName("bad").get()).isNull();
    }

    @Test
    @Order(2)
    void aCompliantPodIsCreatedAndStoredUnchanged() {
        Pod created = k.pods().inNamespace("shop").resource(pod("good", "ghcr.io/acme/api:1", true)).create();
        assertThat(created.getMetadata().getAnnotations() == null
                || !created.getMetadata().getAnnotations().containsKey("rofs-guard.dev/mutated")).isTrue();
        assertThat(created.getSpec().getVolumes()).isNullOrEmpty();
        assertThat(created.getSpec().getContainers().get(0).getVolumeMounts()).isNullOrEmpty();
        assertThat(created.getSpec().getContainers().get(0).getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    }

    @Test
    @Order(3)
    void aControllerStyleNginxPodIsMutatedAndStored() {
        Pod p = pod(null, "nginx:1.27-alpine", null);
        p.getMetadata().setName(null);
        p.getMetadata().setGenerateName("web-7d9c8b6f5d-");
        Pod created = k.pods().inNamespace("shop").resource(p).create();
        Pod stored = k.pods().inNamespace("shop").withName(created.getMetadata().getName()).get();
        assertThat(stored.getSpec().getContainers().get(0).getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(stored.getSpec().getContainers().get(0).getVolumeMounts()).extracting(VolumeMount::getMountPath)
                .contains("/var/cache/nginx", "/var/run");
        assertThat(stored.getSpec().getVolumes()).extracting(Volume::getName)
                .contains("rofs-app-var-cache-nginx", "rofs-app-var-run");
        assertThat(stored.getSpec().getVolumes()).filteredOn(v -> v.getName().equals("rofs-app-var-run"))
                .singleElement().satisfies(v -> assertThat(v.getEmptyDir().getMedium()).isEqualTo("Memory"));
        assertThat(stored.getMetadata().getAnnotations()).containsKey("rofs-guard.dev/mutated");
    }

    /** team-warn chose warn; fresh has no label: deploy/ admits there with a warning, so installing it breaks nothing. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"team-warn", "fresh"})
    @Order(4)
    void warnModeReturnsWarningsToTheClient(String namespace) throws Exception {
        String body = k.getKubernetesSerialization().asJson(pod("warned", "ghcr.io/acme/api:1", false));
        HttpResponse<String> r = apiServer().send(HttpRequest.newBuilder(
                        URI.create("https://127.0.0.1:" + KubeApiServer.PORT + "/api/v1/namespaces/" + namespace + "/pods"))
                .header("Authorization", "Bearer " + KubeApiServer.TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        assertThat(r.headers().allValues("Warning")).anySatisfy(w ->
                assertThat(w).contains("rofs-guard (warn): containers \\\"app\\\" sets securityContext.readOnlyRootFilesystem: false"));
    }

    @Test
    @Order(5)
    void anExemptNamespacePasses() {
        Pod created = k.pods().inNamespace("kube-public").resource(pod("exempt", "ghcr.io/acme/api:1", false)).create();
        assertThat(created.getMetadata().getUid()).isNotBlank();
    }

    @Test
    @Order(6)
    void removingAFinalizerFromAnOldNonCompliantPodPasses() {
        Pod old = pod("old", "ghcr.io/acme/api:1", false);
        old.getMetadata().setFinalizers(List.of("example.com/hold"));
        k.pods().inNamespace("legacy").resource(old).create(); // audit mode: allowed
        k.namespaces().withName("legacy").edit(ns -> {
            ns.getMetadata().getLabels().put(MODE_LABEL, "enforce");
            return ns;
        });
        sleep(500);
        Pod edited = k.pods().inNamespace("legacy").withName("old").edit(p -> {
            p.getMetadata().setFinalizers(Collections.emptyList());
            return p;
        });
        assertThat(edited.getMetadata().getFinalizers()).isNullOrEmpty();
        // ...while an update that makes it worse is still caught: a label change alone is fine
        k.pods().inNamespace("legacy").withName("old").edit(p -> {
            p.getMetadata().setLabels(Map.of("touched", "yes"));
            return p;
        });
    }

    @Test
    @Order(7)
    void serverSideDryRunWorks() {
        assertThatThrownBy(() -> k.pods().inNamespace("shop").resource(pod("dry-bad", "ghcr.io/acme/api:1", null)).dryRun().create())
                .isInstanceOf(KubernetesClientException.class).hasMessageContaining("rofs-guard (enforce)");
        Pod dry = k.pods().inNamespace("shop").resource(pod("dry-good", "nginx", null)).dryRun().create();
        assertThat(dry.getSpec().getContainers().get(0).getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(k.pods().inNamespace("shop").withName("dry-good").get()).isNull();
    }

    @Test
    @Order(8)
    void workloadsAreJudgedAndNotPatched() {
        Deployment nginx = deployment("web", "nginx:1.27");
        Deployment created = k.apps().deployments().inNamespace("shop").resource(nginx).create();
        assertThat(created.getSpec().getTemplate().getSpec().getVolumes()).isNullOrEmpty(); // not patched: its pods will be
        assertThatThrownBy(() -> k.apps().deployments().inNamespace("shop").resource(deployment("api", "ghcr.io/acme/api:1")).create())
                .isInstanceOf(KubernetesClientException.class).hasMessageContaining("Deployment shop/api");
    }

    static Deployment deployment(String name, String image) {
        return new DeploymentBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .withNewSelector().withMatchLabels(Map.of("app", name)).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(Map.of("app", name)).endMetadata()
                .withNewSpec().addNewContainer().withName(name).withImage(image).endContainer().endSpec().endTemplate()
                .endSpec().build();
    }

    /**
     * Added create latency: the same pod created and deleted n times with the shipped webhooks registered and n times
     * without, on the same server in one run, in alternating halves so that drift in a shared machine's load falls on
     * both. Every create with the webhooks must come back mutated, every one without must not: dispatch is real.
     */
    @Test
    @Order(9)
    void soakAddedCreateLatency() throws Exception {
        int n = Integer.getInteger("e2e.soak.pods", 300);
        createAndDelete(20, "warm", true); // connections and JIT warm, both sides
        List<Double> with = new ArrayList<>();
        List<Double> without = new ArrayList<>();
        double inside = 0;
        for (int round = 0; round < 2; round++) {
            double before = webhooks.secondsInside();
            with.addAll(createAndDelete(n / 2, "with", true));
            inside += webhooks.secondsInside() - before;
            webhooks.unregister();
            without.addAll(createAndDelete(n / 2, "without", false));
            webhooks.register();
        }
        double[] w = stats(with);
        double[] wo = stats(without);
        String report = String.format("e2e soak (kube-apiserver %s): %d pod creates each; API server create latency (ms) with webhooks: "
                        + "mean %.2f p50 %.2f p99 %.2f; without: mean %.2f p50 %.2f p99 %.2f; added mean %.2f ms, p50 %.2f ms; "
                        + "of which inside rofs-guard (body to answer, mean per create, mutate + validate): %.3f ms",
                k.getKubernetesVersion().getGitVersion(), with.size(), w[0], w[1], w[2], wo[0], wo[1], wo[2], w[0] - wo[0], w[1] - wo[1],
                inside * 1000 / with.size());
        System.out.println(report);
        Files.writeString(KubeApiServer.WORK.resolve("soak-" + k.getKubernetesVersion().getGitVersion() + ".txt"), report + "\n");
        assertThat(w[2]).as("p99 with webhooks stays well inside the 5 s webhook timeout").isLessThan(1000);
    }

    static List<Double> createAndDelete(int n, String tag, boolean expectMutated) {
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Pod p = pod(null, "nginx:1.27", null);
            p.getMetadata().setName(null);
            p.getMetadata().setGenerateName("soak-" + tag + "-");
            long t0 = System.nanoTime();
            Pod created = k.pods().inNamespace("soak").resource(p).create();
            ms.add((System.nanoTime() - t0) / 1e6);
            Map<String, String> annotations = created.getMetadata().getAnnotations();
            assertThat(annotations != null && annotations.containsKey("rofs-guard.dev/mutated")).as(tag).isEqualTo(expectMutated);
            k.pods().inNamespace("soak").resource(created).withGracePeriod(0).delete();
        }
        return ms;
    }

    /** mean, p50, p99 */
    static double[] stats(List<Double> samples) {
        List<Double> ms = new ArrayList<>(samples);
        Collections.sort(ms);
        double mean = ms.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        return new double[] {mean, ms.get(ms.size() / 2), ms.get((int) Math.min(ms.size() - 1, Math.ceil(ms.size() * 0.99) - 1))};
    }

    @Test
    @Order(11)
    void withTheWebhookDownFailPolicyDeniesAndIgnoreAdmits() throws Exception {
        webhooks.process.stop();
        assertThatThrownBy(() -> k.pods().inNamespace("shop").resource(pod("down", "ghcr.io/acme/api:1", true)).create())
                .isInstanceOf(KubernetesClientException.class).hasMessageContaining("failed calling webhook");
        Pod admitted = k.pods().inNamespace("team-warn").resource(pod("down-ok", "ghcr.io/acme/api:1", false)).create();
        assertThat(admitted.getMetadata().getUid()).isNotBlank();
    }

    static HttpClient apiServer() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(KubeApiServer.caCertificate())) {
            ks.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(ctx).build();
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

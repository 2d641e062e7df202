package dev.rofsguard.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rofsguard.deploy.DeployManifestsTest;
import dev.rofsguard.manifest.Document;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Base64;
import java.util.List;

/**
 * The packaged webhook, running, and the webhook configurations deploy/ ships registered on the API server as shipped
 * (rules, selectors, failure policies, matchConditions): only each service reference becomes this webhook's URL, with
 * its caBundle. Closing unregisters them before stopping the webhook, so later test classes meet no dead webhook.
 */
final class ShippedWebhooks implements AutoCloseable {

    static final String NAME = "rofs-guard";

    final WebhookProcess process;
    private final KubernetesClient k;

    private ShippedWebhooks(KubernetesClient k) throws Exception {
        this.k = k;
        this.process = new WebhookProcess();
    }

    static ShippedWebhooks start(KubernetesClient k) throws Exception {
        return start(k, null);
    }

    /** @param condition a matchCondition added to every webhook (a hybrid install's: by kind of configuration), or null */
    static ShippedWebhooks start(KubernetesClient k, java.util.function.Function<String, String> condition) throws Exception {
        ShippedWebhooks w = new ShippedWebhooks(k);
        w.condition = condition;
        w.process.start();
        w.register();
        return w;
    }

    private java.util.function.Function<String, String> condition;

    void register() throws Exception {
        String ca = Base64.getEncoder().encodeToString(process.caBundle());
        for (String kind : List.of("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration")) {
            ObjectNode config = shipped(kind).deepCopy();
            ((ObjectNode) config.get("metadata")).remove("annotations"); // cert-manager's CA injection: not installed here
            for (JsonNode w : config.get("webhooks")) {
                String path = w.at("/clientConfig/service/path").asText();
                ((ObjectNode) w).putObject("clientConfig").put("url", "https://127.0.0.1:" + WebhookProcess.PORT + path).put("caBundle", ca);
                if (condition != null) {
                    ((ObjectNode) w).withArray("matchConditions").addObject().put("name", "sent-to-the-webhook").put("expression", condition.apply(kind));
                }
            }
            k.resource(k.getKubernetesSerialization().asJson(config)).createOr(r -> r.update());
        }
        Thread.sleep(1500); // the API server picks webhook configurations up from its informer
    }

    void unregister() throws InterruptedException {
        k.admissionRegistration().v1().validatingWebhookConfigurations().withName(NAME).delete();
        k.admissionRegistration().v1().mutatingWebhookConfigurations().withName(NAME).delete();
        Thread.sleep(1500);
    }

    static ObjectNode shipped(String kind) {
        return (ObjectNode) DeployManifestsTest.documents().stream().map(Document::object)
                .filter(o -> o.path("kind").asText().equals(kind)).findFirst().orElseThrow();
    }

    /** Admission reviews the webhook has answered (both endpoints), from its own metrics. */
    double reviews() throws Exception {
        return metric("rofs_guard_admission_duration_seconds_count");
    }

    /** Seconds spent inside rofs-guard answering reviews (both endpoints), from its own metrics. */
    double secondsInside() throws Exception {
        return metric("rofs_guard_admission_duration_seconds_sum");
    }

    /** One client for every read (a client per read left dozens of selector threads and connections behind). */
    private static final HttpClient METRICS = HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(5)).build();

    private static double metric(String name) throws Exception {
        // With a timeout: a read that never answers fails the test with a reason instead of hanging the run.
        String metrics = METRICS.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + WebhookProcess.MANAGEMENT_PORT + "/q/metrics"))
                .timeout(java.time.Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString()).body();
        double sum = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    @Override
    public void close() throws Exception {
        try {
            unregister();
        } finally {
            process.close();
        }
    }
}

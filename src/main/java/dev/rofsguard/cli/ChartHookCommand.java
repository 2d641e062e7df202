package dev.rofsguard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rofsguard.admission.AdmissionReviews;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ServiceReference;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The Helm chart's hook and test pods run rofs-guard's own image (no kubectl in it): these two commands are what
 * they run, inside the cluster, with the pod's service account.
 */
@Command(name = "chart-hook", description = "Commands run by the Helm chart's hook and test pods, inside the cluster.",
        subcommands = {ChartHookCommand.DeleteWebhookConfigurations.class, ChartHookCommand.ApplyNative.class,
                ChartHookCommand.DeleteNative.class, ChartHookCommand.Test.class})
final class ChartHookCommand {

    /**
     * post-install and post-upgrade with {@code engine: native | hybrid}: the policy compiled to admission policies
     * (Helm cannot run the compiler while rendering) and applied server-side; with {@code --hybrid}, the rofs-guard
     * webhooks get the matchCondition that sends them only what the native policies leave to them.
     */
    @Command(name = "apply-native", description = "Compile the policy FILE to admission policies and apply them (server-side apply).")
    static final class ApplyNative implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "the policy file")
        java.nio.file.Path config;

        @Option(names = "--hybrid", description = "leave to the webhooks what the native policies cannot answer exactly")
        boolean hybrid;

        @Option(names = "--webhooks", paramLabel = "NAME", description = "with --hybrid: the webhook configurations to route")
        String webhooks;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            var loaded = Cli.config(spec, config, null);
            if (loaded.isEmpty()) {
                return ExitCodes.USAGE;
            }
            dev.rofsguard.engine.EngineConfig engine = loaded.get();
            try (KubernetesClient k = client()) {
                for (var o : dev.rofsguard.export.NativePolicies.compile(engine, hybrid)) {
                    var r = k.getKubernetesSerialization().unmarshal(o.toString(), io.fabric8.kubernetes.api.model.GenericKubernetesResource.class);
                    k.resource(r).fieldManager("rofs-guard").forceConflicts().serverSideApply();
                    out.printf("%s %s: applied%n", r.getKind(), r.getMetadata().getName());
                }
                if (hybrid && webhooks != null) {
                    var v1 = k.admissionRegistration().v1();
                    String validating = dev.rofsguard.export.NativePolicies.webhookCondition(engine, false);
                    String mutating = dev.rofsguard.export.NativePolicies.webhookCondition(engine, true);
                    if (v1.validatingWebhookConfigurations().withName(webhooks).get() != null) {
                        v1.validatingWebhookConfigurations().withName(webhooks).edit(c -> {
                            c.getWebhooks().forEach(w -> w.setMatchConditions(routed(w.getMatchConditions(), validating)));
                            return c;
                        });
                        out.printf("ValidatingWebhookConfiguration %s: routed%n", webhooks);
                    }
                    if (v1.mutatingWebhookConfigurations().withName(webhooks).get() != null) {
                        v1.mutatingWebhookConfigurations().withName(webhooks).edit(c -> {
                            c.getWebhooks().forEach(w -> w.setMatchConditions(routed(w.getMatchConditions(), mutating)));
                            return c;
                        });
                        out.printf("MutatingWebhookConfiguration %s: routed%n", webhooks);
                    }
                }
            }
            out.flush();
            return ExitCodes.OK;
        }

        /** The webhook's own conditions, with this routing condition replacing any earlier one. */
        private static java.util.List<io.fabric8.kubernetes.api.model.admissionregistration.v1.MatchCondition> routed(
                java.util.List<io.fabric8.kubernetes.api.model.admissionregistration.v1.MatchCondition> own, String expression) {
            java.util.List<io.fabric8.kubernetes.api.model.admissionregistration.v1.MatchCondition> out = new java.util.ArrayList<>();
            if (own != null) {
                own.stream().filter(c -> !ROUTE.equals(c.getName())).forEach(out::add);
            }
            out.add(new io.fabric8.kubernetes.api.model.admissionregistration.v1.MatchCondition(expression, ROUTE));
            return out;
        }

        static final String ROUTE = "sent-to-the-webhook";
    }

    /** pre-delete with {@code engine: native | hybrid}: the admission policies go with the release. */
    @Command(name = "delete-native", description = "Delete the admission policies and bindings apply-native created.")
    static final class DeleteNative implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            // The names do not depend on the policy: compiled from the defaults, every object the export can make.
            dev.rofsguard.engine.EngineConfig defaults = dev.rofsguard.config.PolicyLoader.load(null, null);
            try (KubernetesClient k = client()) {
                for (var o : dev.rofsguard.export.NativePolicies.compile(defaults)) {
                    var r = k.getKubernetesSerialization().unmarshal(o.toString(), io.fabric8.kubernetes.api.model.GenericKubernetesResource.class);
                    out.printf("%s %s: %s%n", r.getKind(), r.getMetadata().getName(), k.resource(r).delete().isEmpty() ? "absent" : "deleted");
                }
            }
            out.flush();
            return ExitCodes.OK;
        }
    }

    /** pre-delete: no failurePolicy: Fail configuration may outlive the Service it points at. */
    @Command(name = "delete-webhook-configurations", description = "Delete the validating and mutating webhook configurations NAME.")
    static final class DeleteWebhookConfigurations implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--name", required = true, description = "name of both webhook configurations")
        String name;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (KubernetesClient k = client()) {
                var v1 = k.admissionRegistration().v1();
                // delete() answers an empty list for an object that is already gone: not an error on a re-run.
                out.printf("ValidatingWebhookConfiguration %s: %s%n", name,
                        v1.validatingWebhookConfigurations().withName(name).delete().isEmpty() ? "absent" : "deleted");
                out.printf("MutatingWebhookConfiguration %s: %s%n", name,
                        v1.mutatingWebhookConfigurations().withName(name).delete().isEmpty() ? "absent" : "deleted");
            }
            out.flush();
            return ExitCodes.OK;
        }
    }

    /** helm test: the API server's own path to the webhook, checked end to end except for the API server itself. */
    @Command(name = "test", description = "Ask the webhook of the ValidatingWebhookConfiguration NAME, trusting its caBundle, "
            + "to judge a pod without a read-only root filesystem under enforce; exit 0 when it is denied.")
    static final class Test implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--name", required = true, description = "the ValidatingWebhookConfiguration")
        String name;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            ValidatingWebhookConfiguration configuration;
            try (KubernetesClient k = client()) {
                configuration = k.admissionRegistration().v1().validatingWebhookConfigurations().withName(name).get();
            }
            if (configuration == null) {
                out.printf("test: ValidatingWebhookConfiguration %s not found%n", name);
                out.flush();
                return ExitCodes.VIOLATIONS;
            }
            ValidatingWebhook enforce = configuration.getWebhooks().stream()
                    .filter(w -> w.getClientConfig().getService() != null && "/validate/enforce".equals(w.getClientConfig().getService().getPath()))
                    .findFirst().orElse(null);
            if (enforce == null || enforce.getClientConfig().getCaBundle() == null) {
                out.printf("test: %s has no /validate/enforce entry with a caBundle%n", name);
                out.flush();
                return ExitCodes.VIOLATIONS;
            }
            ServiceReference s = enforce.getClientConfig().getService();
            URI uri = URI.create("https://" + s.getName() + "." + s.getNamespace() + ".svc:" + (s.getPort() == null ? 443 : s.getPort()) + s.getPath());
            Result r;
            try {
                r = probe(uri, enforce.getClientConfig().getCaBundle(), Duration.ofSeconds(10));
            } catch (java.io.IOException e) {
                // A wrong CA, a name the certificate lacks, no ready replica: what the API server would also hit.
                r = new Result(false, "not answered: " + e);
            }
            out.println("test: " + uri + ": " + r.message());
            out.flush();
            return r.denied() ? ExitCodes.OK : ExitCodes.VIOLATIONS;
        }
    }

    record Result(boolean denied, String message) {
    }

    /**
     * POSTs an AdmissionReview of a pod with a writable root filesystem to {@code uri}, trusting only the CA in
     * {@code caBundle} (base64 PEM, as in a webhook configuration) and checking the host name, as the API server does.
     */
    static Result probe(URI uri, String caBundle, Duration timeout) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        int i = 0;
        for (Certificate c : CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(Base64.getDecoder().decode(caBundle.trim())))) {
            trust.setCertificateEntry("ca" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        HttpClient client = HttpClient.newBuilder().sslContext(tls).connectTimeout(timeout).build();
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(AdmissionReviews.toBytes(review()))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            return new Result(false, "HTTP " + response.statusCode() + ": " + response.body());
        }
        JsonNode answer = AdmissionReviews.mapper().readTree(response.body()).path("response");
        return answer.path("allowed").asBoolean(true)
                ? new Result(false, "allowed a pod without readOnlyRootFilesystem under enforce")
                : new Result(true, "denied as expected: " + answer.path("status").path("message").asText());
    }

    private static ObjectNode review() {
        String ns = "rofs-guard-helm-test";
        ObjectNode review = AdmissionReviews.mapper().createObjectNode();
        review.put("apiVersion", AdmissionReviews.API_VERSION).put("kind", AdmissionReviews.KIND);
        ObjectNode request = review.putObject("request");
        request.put("uid", UUID.randomUUID().toString());
        request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
        request.putObject("resource").put("group", "").put("version", "v1").put("resource", "pods");
        request.put("name", "helm-test").put("namespace", ns).put("operation", "CREATE").put("dryRun", true);
        request.putObject("userInfo").put("username", "system:serviceaccount:helm-test");
        ObjectNode pod = request.putObject("object");
        pod.put("apiVersion", "v1").put("kind", "Pod");
        pod.putObject("metadata").put("name", "helm-test").put("namespace", ns);
        pod.putObject("spec").putArray("containers").addObject().put("name", "app").put("image", "ghcr.io/rofs-guard/helm-test:1");
        return review;
    }

    /**
     * The in-cluster (or kubeconfig) client, with a minute per request: the API server compiles the CEL of a
     * policy when it is applied, which on a busy control plane takes longer than the client's default 10 s.
     */
    static KubernetesClient client() {
        io.fabric8.kubernetes.client.Config config = io.fabric8.kubernetes.client.Config.autoConfigure(null);
        config.setRequestTimeout(60_000);
        return new KubernetesClientBuilder().withConfig(config).build();
    }
}

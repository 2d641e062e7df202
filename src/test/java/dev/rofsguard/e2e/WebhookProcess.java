package dev.rofsguard.e2e;

import dev.rofsguard.tls.TlsBootstrap;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The packaged webhook (target/quarkus-app), started as users start it, over HTTPS with a certificate for 127.0.0.1,
 * with the policy deploy/ ships (the ConfigMap's policy.yaml: ephemeral containers in warn mode, as configured there).
 */
public final class WebhookProcess implements AutoCloseable {

    public static final int PORT = 18443;
    public static final int MANAGEMENT_PORT = 19000;

    private final Path dir;
    private final Path ca;
    private Process process;

    public WebhookProcess() throws Exception {
        dir = KubeApiServer.WORK.resolve("webhook-tls");
        Files.createDirectories(dir);
        ca = TlsBootstrap.generate(dir, List.of("localhost"), List.of("127.0.0.1"));
    }

    public byte[] caBundle() throws Exception {
        return Files.readAllBytes(ca);
    }

    public void start() throws Exception {
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, shippedPolicy());
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:+UseSerialGC", "-Drofs-guard.policy-file=" + policy,
                "-Drofs-guard.tls.cert-file=" + dir.resolve("tls.crt"), "-Drofs-guard.tls.key-file=" + dir.resolve("tls.key"),
                "-Dquarkus.http.ssl-port=" + PORT, "-Dquarkus.management.port=" + MANAGEMENT_PORT,
                "-jar", KubeApiServer.ROOT.resolve("target/quarkus-app/quarkus-run.jar").toString()));
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(KubeApiServer.WORK.resolve("webhook.log").toFile())).start();
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("webhook exited: " + KubeApiServer.tail(KubeApiServer.WORK.resolve("webhook.log")));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + MANAGEMENT_PORT + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("webhook not ready after 90 s");
    }

    static String shippedPolicy() {
        return dev.rofsguard.deploy.DeployManifestsTest.documents().stream()
                .filter(d -> d.object().path("kind").asText().equals("ConfigMap")
                        && d.object().at("/metadata/name").asText().equals("rofs-guard-policy"))
                .map(d -> d.object().at("/data/policy.yaml").asText()).findFirst()
                .orElseThrow(() -> new IllegalStateException("deploy/ has no rofs-guard-policy ConfigMap"));
    }

    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}

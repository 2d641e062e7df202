package dev.rofsguard.e2e;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real kube-apiserver (built from the k8s.io/kubernetes Go modules, version pinned in kube-apiserver-build.sh) + etcd
 * on 127.0.0.1, started once per test run (and stopped at its end) by the project's scripts; the binaries are built
 * once per machine and cached under ~/.cache/rofs-guard/kapi-v&lt;version&gt;-etcd-v&lt;version&gt; (or $KAPI_DIR). If
 * they cannot be built or started the tests fail: they never skip silently.
 */
public final class KubeApiServer implements BeforeAllCallback, ExtensionContext.Store.CloseableResource, AutoCloseable {

    public static final Path ROOT = Path.of("").toAbsolutePath();
    public static final Path WORK = ROOT.resolve("target/e2e");
    public static final Path RUN = WORK.resolve("kapi-run");
    public static final String TOKEN = "kapi-admin-token-0123456789";
    /** A kubelet's identity (system:node:e2e-node in system:nodes), from the API server's token file. */
    public static final String NODE_TOKEN = "kapi-node-token-0123456789";
    public static final String NODE_NAME = "e2e-node";
    public static final int PORT = 16443;

    private static KubeApiServer started;
    private static HttpClient http;
    private KubernetesClient client;

    @Override
    public synchronized void beforeAll(ExtensionContext context) throws Exception {
        if (started == null) {
            KubeApiServer server = new KubeApiServer();
            server.start();
            context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).put(KubeApiServer.class.getName(), server);
            started = server;
        }
    }

    public static KubernetesClient client() {
        return started.client;
    }

    public static Path caCertificate() {
        return RUN.resolve("certs/ca.crt");
    }

    private void start() throws Exception {
        Files.createDirectories(WORK);
        long t0 = System.nanoTime();
        // A cold build takes ~15 min on 2 busy cores; .ci/run builds before Maven starts, so here it is a cache hit.
        script(List.of(ROOT.resolve("src/test/e2e/kube-apiserver-build.sh").toString()), WORK.resolve("build.log"), 60);
        System.out.printf("e2e: kube-apiserver binaries ready in %.1f s (cached after the first build)%n", (System.nanoTime() - t0) / 1e9);
        System.out.println("e2e: " + tail(WORK.resolve("build.log")).lines().filter(l -> l.contains("cached: ") || l.contains("kube-apiserver: "))
                .findFirst().orElse("(no version line in " + WORK.resolve("build.log") + ")"));
        stopQuietly();
        deleteRecursively(RUN);
        t0 = System.nanoTime();
        script(List.of(ROOT.resolve("src/test/e2e/kube-apiserver.sh").toString(), "start"), WORK.resolve("start.log"), 3);
        System.out.printf("e2e: kube-apiserver started in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(RUN.resolve("kubeconfig")))).build();
    }

    @Override
    public void close() throws Exception {
        if (client != null) {
            client.close();
        }
        stopQuietly();
    }

    /** A client that authenticates as the kubelet of {@link #NODE_NAME}. */
    public static KubernetesClient nodeClient() throws IOException {
        Config c = Config.fromKubeconfig(Files.readString(RUN.resolve("kubeconfig")));
        c.setOauthToken(NODE_TOKEN);
        c.setAutoOAuthToken(NODE_TOKEN);
        return new KubernetesClientBuilder().withConfig(c).build();
    }

    /**
     * One raw request as the admin, for what the typed client hides: response Warning headers, subresource patches
     * as kubectl sends them, dryRun/fieldValidation query parameters.
     */
    public static HttpResponse<String> request(String method, String path, String contentType, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + PORT + path))
                .header("Authorization", "Bearer " + TOKEN).header("Accept", "application/json");
        if (body != null) {
            b.header("Content-Type", contentType);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static synchronized HttpClient http() throws Exception {
        if (http == null) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            try (InputStream in = Files.newInputStream(caCertificate())) {
                ks.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            http = HttpClient.newBuilder().sslContext(ctx).build();
        }
        return http;
    }

    private static void stopQuietly() {
        try {
            ProcessBuilder pb = new ProcessBuilder(ROOT.resolve("src/test/e2e/kube-apiserver.sh").toString(), "stop");
            pb.environment().put("KAPI_RUN", RUN.toString());
            pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(60, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            // nothing running: fine
        }
    }

    private static void script(List<String> command, Path log, int minutes) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("KAPI_RUN", RUN.toString()); // KAPI_DIR, K8S_VERSION, ETCD_VERSION: inherited if set
        Process p = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException(command.get(0) + " did not finish in " + minutes + " min; see " + log);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(command.get(0) + " failed (exit " + p.exitValue() + "):\n" + tail(log));
        }
    }

    static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            walk.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }
}

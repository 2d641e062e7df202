package dev.rofsguard.e2e;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real kube-apiserver 1.20 + etcd on 127.0.0.1, started once per test run (and stopped at its end) by the
 * project's scripts; the binaries are built once per machine and cached under ~/.cache/rofs-guard/kapi. If they
 * cannot be built or started the tests fail: they never skip silently.
 */
public final class KubeApiServer implements BeforeAllCallback, ExtensionContext.Store.CloseableResource, AutoCloseable {

    public static final Path ROOT = Path.of("").toAbsolutePath();
    public static final Path WORK = ROOT.resolve("target/e2e");
    public static final Path RUN = WORK.resolve("kapi-run");
    public static final String TOKEN = "kapi-admin-token-0123456789";
    public static final int PORT = 16443;

    private static KubeApiServer started;
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
        String kapiDir = System.getenv().getOrDefault("KAPI_DIR", System.getProperty("user.home") + "/.cache/rofs-guard/kapi");
        long t0 = System.nanoTime();
        script(List.of(ROOT.resolve("src/test/e2e/kube-apiserver-build.sh").toString(), kapiDir), WORK.resolve("build.log"), 30);
        System.out.printf("e2e: kube-apiserver binaries ready in %.1f s (cached after the first build)%n", (System.nanoTime() - t0) / 1e9);
        stopQuietly(kapiDir);
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
        String kapiDir = System.getenv().getOrDefault("KAPI_DIR", System.getProperty("user.home") + "/.cache/rofs-guard/kapi");
        stopQuietly(kapiDir);
    }

    private static void stopQuietly(String kapiDir) {
        try {
            ProcessBuilder pb = new ProcessBuilder(ROOT.resolve("src/test/e2e/kube-apiserver.sh").toString(), "stop");
            pb.environment().putAll(Map.of("KAPI_DIR", kapiDir, "KAPI_RUN", RUN.toString()));
            pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(60, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            // nothing running: fine
        }
    }

    private static void script(List<String> command, Path log, int minutes) throws Exception {
        String kapiDir = System.getenv().getOrDefault("KAPI_DIR", System.getProperty("user.home") + "/.cache/rofs-guard/kapi");
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(Map.of("KAPI_DIR", kapiDir, "KAPI_RUN", RUN.toString()));
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

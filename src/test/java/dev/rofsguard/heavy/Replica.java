package dev.rofsguard.heavy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One rofs-guard process from the packaged jar (target/quarkus-app), started with the image's own JVM flags. */
final class Replica implements AutoCloseable {

    final String name;
    final int port;
    final int managementPort;
    final Path log;
    final Process process;

    private Replica(String name, int port, int managementPort, Path log, Process process) {
        this.name = name;
        this.port = port;
        this.managementPort = managementPort;
        this.log = log;
        this.process = process;
    }

    static Replica start(Path dir, String name, int port, int managementPort, String... extra) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(imageJvmFlags());
        cmd.add("-Drofs-guard.tls.cert-file=" + dir.resolve("tls.crt"));
        cmd.add("-Drofs-guard.tls.key-file=" + dir.resolve("tls.key"));
        cmd.add("-Dquarkus.http.ssl-port=" + port);
        cmd.add("-Dquarkus.management.port=" + managementPort);
        cmd.addAll(List.of(extra));
        // -Drofs-guard.jar=… runs the same test against another build (e.g. the one before a fix).
        cmd.addAll(List.of("-jar", System.getProperty("rofs-guard.jar", "target/quarkus-app/quarkus-run.jar")));
        Path log = dir.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(imageEnvironment());
        Process p = pb.start();
        return new Replica(name, port, managementPort, log, p);
    }

    /** The runtime stage's {@code ENV KEY=value} lines of the Dockerfile (e.g. MALLOC_ARENA_MAX), as the image sets them. */
    static java.util.Map<String, String> imageEnvironment() throws IOException {
        String dockerfile = Files.readString(Path.of("Dockerfile"));
        String runtime = dockerfile.substring(dockerfile.lastIndexOf("\nFROM "));
        java.util.Map<String, String> env = new java.util.HashMap<>();
        for (String line : runtime.split("\n")) {
            if (line.startsWith("ENV ") && line.contains("=")) {
                String kv = line.substring(4).trim();
                env.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            }
        }
        return env;
    }

    /** The JVM flags of the Dockerfile's ENTRYPOINT (between "java" and "-jar"), so the test measures what ships. */
    static List<String> imageJvmFlags() throws IOException {
        String dockerfile = Files.readString(Path.of("Dockerfile"));
        int at = dockerfile.indexOf("ENTRYPOINT [");
        String array = dockerfile.substring(at + "ENTRYPOINT ".length(), dockerfile.indexOf(']', at) + 1).replace("\\\n", "");
        JsonNode args = new ObjectMapper().readTree(array);
        List<String> flags = new ArrayList<>();
        for (int i = 1; i < args.size() && !args.get(i).asText().equals("-jar"); i++) {
            String flag = args.get(i).asText();
            // The class-data archive exists only in the image (made by its build, for its JVM): not here.
            if (!flag.startsWith("-XX:SharedArchiveFile=") && !flag.startsWith("-Xshare:")) {
                flags.add(flag);
            }
        }
        return flags;
    }

    void awaitReady() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (status("/q/health/ready") != 200) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError(name + " did not get ready:\n" + Files.readString(log));
            }
            Thread.sleep(200);
        }
    }

    int status(String path) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + managementPort + path).toURL().openConnection();
            c.setConnectTimeout(1000);
            c.setReadTimeout(2000);
            return c.getResponseCode();
        } catch (IOException e) {
            return -1;
        }
    }

    /** One sample of the Prometheus endpoint, as written there (name and labels), or "?" when it cannot be read. */
    String metric(String series) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + managementPort + "/q/metrics").toURL().openConnection();
            c.setConnectTimeout(1000);
            c.setReadTimeout(2000);
            for (String line : new String(c.getInputStream().readAllBytes()).split("\n")) {
                // Prometheus' older text format (chosen by some Accept headers, e.g. HttpURLConnection's default)
                // ends the labels in a comma: {reason="x",}.
                line = line.replace(",}", "}");
                if (line.startsWith(series + " ")) {
                    return line.substring(series.length() + 1).trim();
                }
            }
        } catch (IOException e) {
            return "? (" + e.getMessage() + ")";
        }
        return "? (no such series)";
    }

    /** Resident set size in kB, from /proc (Linux). */
    long rssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // the process has gone
        }
        return -1;
    }

    void sigterm() {
        process.destroy();
    }

    String logText() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}

package dev.rofsguard.heavy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rofsguard.tls.TlsBootstrap;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rolling update as the API server sees it: two replicas of the packaged jar behind an L4 round-robin proxy
 * (Debian's haproxy in TCP mode, health-checking readiness as endpoints would: the shipped probe's 1 s timeout and
 * failure threshold of 2, checked every 500 ms rather than 5 s so that the replica leaves within the 5 s delay; with
 * a 500 ms timeout and one failure, both replicas were taken out under load and haproxy closed new connections), a Go client with client-go's
 * transport settings sending 2,000 reviews a second over HTTP/2, and SIGTERM to one replica mid-run. Every request
 * of the whole run must succeed.
 */
class RolloutHeavyIT {

    static final String HAPROXY = "/usr/sbin/haproxy";
    /** 2,000 a second by default (the figure); -Drollout.rate=… for a machine that cannot carry client and servers. */
    static final int RATE = Integer.getInteger("rollout.rate", 2000);

    @Test
    void sigtermToOneReplicaDropsNoAdmissionOverHttp2(@TempDir Path dir) throws Exception {
        assertThat(Path.of(HAPROXY)).as("haproxy (apt-get install haproxy; the heavy profile is not part of .ci/run)").isExecutable();
        Path ca = TlsBootstrap.generate(dir, List.of("localhost"), List.of("127.0.0.1"));
        // -Drollout.replica-args="-Dx=y …" adds flags to both replicas (e.g. a longer warm-up, to see the cold start).
        String[] args = ("-Drofs-guard.shutdown.delay=5s " + System.getProperty("rollout.replica-args", "")).trim().split("\\s+");
        try (Replica a = Replica.start(dir, "a", 28451, 29051, args);
             Replica b = Replica.start(dir, "b", 28452, 29052, args)) {
            a.awaitReady();
            b.awaitReady();
            Path cfg = dir.resolve("haproxy.cfg");
            Files.writeString(cfg, """
                    global
                      maxconn 4000
                    defaults
                      mode tcp
                      timeout connect 2s
                      timeout client 120s
                      timeout server 120s
                      timeout check 1s
                      retries 3
                      option redispatch
                    frontend webhook
                      bind 127.0.0.1:28450
                      default_backend replicas
                    backend replicas
                      balance roundrobin
                      option httpchk GET /q/health/ready
                      server a 127.0.0.1:28451 check port 29051 inter 500ms fall 2 rise 2
                      server b 127.0.0.1:28452 check port 29052 inter 500ms fall 2 rise 2
                    """);
            Process haproxy = new ProcessBuilder(HAPROXY, "-f", cfg.toString(), "-db").redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(dir.resolve("haproxy.log").toFile()).start();
            try {
                awaitPort(28450, dir.resolve("haproxy.log"));
                assertThat(haproxy.isAlive()).as("haproxy runs").isTrue();
                // A rollout replaces replicas that have been serving: both take the load through the proxy from a
                // client of its own (so its connections are gone before the rollout's start) until they serve it
                // steadily, 10 s at a time, at most three times. What that costs two just-started replicas on this
                // machine is reported, not judged here (a cold replica under full load is ColdTakeoverHeavyIT's and
                // dev/cold-takeover.sh's question).
                StringBuilder warmReport = new StringBuilder();
                boolean steady = false;
                for (int phase = 1; phase <= 3 && !steady; phase++) {
                    Path warmOut = dir.resolve("rollout-warm-" + phase + ".json");
                    Process warm = LoadClient.start(warmOut, "-mode", "paced", "-url", "https://127.0.0.1:28450/validate/audit",
                            "-ca", ca.toString(), "-body", "src/test/resources/admission/pod-create-by-replicaset.json",
                            "-rate", String.valueOf(RATE), "-warmup", "0s", "-duration", "10s", "-clients", "4");
                    JsonNode warmed = LoadClient.result(warm, warmOut, 120);
                    steady = steady(warmed);
                    warmReport.append("warm phase ").append(phase).append(steady ? " (steady)" : " (not steady)").append(": ")
                            .append(warmed).append('\n');
                }
                LoadClient.report("rollout-warm.json", warmReport + "refusals a: " + refusals(a) + "\nrefusals b: " + refusals(b));
                assertThat(steady).as("the replicas serve %d req/s steadily after 30 s of it: %s", RATE, warmReport).isTrue();
                Path out = dir.resolve("rollout.json");
                Process client = LoadClient.start(out, "-mode", "paced", "-url", "https://127.0.0.1:28450/validate/audit",
                        "-ca", ca.toString(), "-body", "src/test/resources/admission/pod-create-by-replicaset.json",
                        "-rate", String.valueOf(RATE), "-warmup", "0s", "-duration", "25s", "-clients", "4");
                Thread.sleep(8_000);
                String refusedByA = refusals(a);
                a.sigterm(); // mid-run: the rest of the run is the shutdown delay, the drain and replica b alone
                JsonNode result = LoadClient.result(client, out, 120);
                // The servers' own counts beside the client's: which refusal a 503 was (a is read just before SIGTERM).
                LoadClient.report("rollout.json", result.toString() + "\nrefusals a (at SIGTERM, since its start): " + refusedByA
                        + "\nrefusals b (at the end, since its start): " + refusals(b));
                assertThat(a.process.waitFor(40, TimeUnit.SECONDS)).as("replica a stops after SIGTERM").isTrue();
                String log = a.logText();
                assertThat(log).contains("shutdown delay started").doesNotContain("OutOfMemoryError");
                assertThat(result.path("failed").asLong()).as("failed requests over the whole run: %s", result).isZero();
                assertThat(result.path("ok").asLong()).isEqualTo(RATE * 25L);
                assertThat(result.path("rate_sent").asDouble()).as("paced rate").isGreaterThanOrEqualTo(RATE * 0.97);
                assertThat(result.path("protocols").path("HTTP/2.0").asLong()).isEqualTo(RATE * 25L);
            } finally {
                haproxy.destroy();
                haproxy.waitFor(10, TimeUnit.SECONDS);
                // The temporary directory goes with the test: keep the logs beside the report.
                Path kept = Files.createDirectories(Path.of("target", "heavy", "rollout-logs"));
                for (String log : List.of("a.log", "b.log", "haproxy.log")) {
                    if (Files.exists(dir.resolve(log))) {
                        Files.copy(dir.resolve(log), kept.resolve(log), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        }
    }

    /** The last 3 s of a warm phase: every request answered with 200, none slower than 1 s. */
    static boolean steady(JsonNode warmed) {
        JsonNode seconds = warmed.path("by_second");
        int last = seconds.size() - 1;
        // The last entry can be a partial second (the requests sent after the 10th): judged with the others.
        for (int i = Math.max(0, last - 3); i <= last; i++) {
            if (seconds.get(i).path("failed").asLong() > 0 || seconds.get(i).path("max_ms").asDouble() > 1000) {
                return false;
            }
        }
        return seconds.size() >= 3;
    }

    private static String refusals(Replica r) {
        StringBuilder out = new StringBuilder();
        for (String reason : List.of("memory-budget", "workers-busy", "connection-limit", "body-timeout")) {
            out.append(reason).append('=').append(r.metric("rofs_guard_refusals_total{reason=\"" + reason + "\"}")).append(' ');
        }
        return out.toString().trim();
    }

    private static void awaitPort(int port, Path log) throws Exception {
        for (int i = 0; i < 100; i++) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (java.io.IOException e) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("nothing listens on " + port + ": " + Files.readString(log) + Files.readString(log.resolveSibling("haproxy.cfg")));
    }
}

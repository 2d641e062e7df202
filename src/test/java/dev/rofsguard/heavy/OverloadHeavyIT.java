package dev.rofsguard.heavy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rofsguard.tls.TlsBootstrap;
import dev.rofsguard.web.LargeReviews;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Under fire, with the image's JVM flags: 32 then 64 concurrent 3 MiB reviews, small reviews at 200 a second,
 * 3,000 idle TLS HTTP/2 connections (one load client, at a lower priority: the flood stands in for API servers on
 * other nodes, so it must not starve the server of the machine's 2 cores) and health probes every 100 ms (a process
 * of their own at the normal priority, as the kubelet). The server must degrade by refusing (503 with
 * Retry-After, or a new connection closed before its handshake while the port is full; both counted), never by
 * dying: health within 1 s throughout, every small review answered, no request that got a connection dropped,
 * RSS ≤ 256 MB, no OutOfMemoryError, and SIGTERM honoured afterwards.
 */
class OverloadHeavyIT {

    @Test
    void largeReviewsIdleConnectionsAndSmallReviewsTogether(@TempDir Path dir) throws Exception {
        Path ca = TlsBootstrap.generate(dir, List.of("localhost"), List.of("127.0.0.1"));
        Path big = dir.resolve("big.json");
        Files.write(big, LargeReviews.podCreate(3 * 1024 * 1024));
        try (Replica r = Replica.start(dir, "overload", 28461, 29061, "-Drofs-guard.shutdown.delay=2s")) {
            try {
                run(r, ca, big, dir);
            } finally {
                // The temporary directory goes with the test: keep the replica's log beside the report.
                Files.createDirectories(Path.of("target", "heavy"));
                Files.copy(r.log, Path.of("target", "heavy", "overload-replica.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static void run(Replica r, Path ca, Path big, Path dir) throws Exception {
        r.awaitReady();
        AtomicLong maxRss = new AtomicLong();
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                maxRss.accumulateAndGet(r.rssKb(), Math::max);
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.setDaemon(true);
        sampler.start();
        StringBuilder report = new StringBuilder();
        for (int concurrency : new int[] {32, 64}) {
            Path out = dir.resolve("flood-" + concurrency + ".json");
            // The flood at a lower priority (it stands in for API servers elsewhere), the probes at the normal one
            // in a process of their own (as the kubelet).
            Process client = LoadClient.start(out, 10, "-mode", "flood", "-url", "https://127.0.0.1:28461/validate/enforce",
                    "-ca", ca.toString(), "-body", "src/test/resources/admission/pod-create-by-replicaset.json",
                    "-big", big.toString(), "-big-concurrency", String.valueOf(concurrency), "-rate", "200",
                    "-idle", "3000", "-duration", "20s");
            Path probed = dir.resolve("probe-" + concurrency + ".json");
            Process probe = LoadClient.start(probed, "-mode", "probe", "-health", "http://127.0.0.1:29061/q/health/live",
                    "-duration", "22s");
            ObjectNode result = (ObjectNode) LoadClient.result(client, out, 180);
            result.set("health", LoadClient.result(probe, probed, 60));
            report.append("concurrency ").append(concurrency).append(": ").append(result).append('\n')
                    .append("  server: refused before the handshake ")
                    .append(r.metric("rofs_guard_refusals_total{reason=\"connection-limit\"}"))
                    .append(", closed quiet while pressed ")
                    .append(r.metric("rofs_guard_connections_closed_total{reason=\"idle-while-pressed\"}"))
                    .append(", max RSS so far ").append(maxRss.get() / 1024).append(" MB\n");
            LoadClient.report("overload.txt", report.toString()); // written before the checks, so a failed run has it too
            assertThat(result.path("health").path("slower_than_1s").asLong()).as("%s", result).isZero();
            assertThat(result.path("health").path("failed").asLong()).as("%s", result).isZero();
            assertThat(result.path("small").path("errors").size()).as("small reviews: no timeouts or resets: %s", result).isZero();
            assertOnly(result.path("small").path("statuses"), "200", "503");
            assertThat(result.path("small").path("statuses").path("200").asLong()).as("most small reviews answered: %s", result)
                    .isGreaterThan(result.path("small").path("statuses").path("503").asLong() * 9);
            // A large review's client may find the port full while the idle flood holds it (refused before the
            // handshake, counted by the server); a request that got a connection is answered or refused, never dropped.
            assertThat(result.path("big").path("errors").size()).as("large reviews: answered or refused: %s", result).isZero();
            assertThat(result.path("small").path("connect_refused").asLong()).as("%s", result).isZero();
            assertOnly(result.path("big").path("statuses"), "200", "503");
            assertThat(r.process.isAlive()).isTrue();
        }
        // The largest legitimate review, an UPDATE of two ~3 MiB pods, on the image's heap: answered, small
        // reviews beside it answered too (the budget holds one such review and leaves room).
        Path update = dir.resolve("update.json");
        Files.write(update, LargeReviews.podUpdate((int) (6.5 * 1024 * 1024)));
        Path updateOut = dir.resolve("update-result.json");
        Process large = LoadClient.start(updateOut, "-mode", "paced", "-url", "https://127.0.0.1:28461/validate/enforce",
                "-ca", ca.toString(), "-body", update.toString(), "-rate", "1", "-warmup", "0s", "-duration", "3s", "-clients", "1");
        Path smallOut = dir.resolve("update-small.json");
        Process small = LoadClient.start(smallOut, "-mode", "paced", "-url", "https://127.0.0.1:28461/validate/enforce",
                "-ca", ca.toString(), "-body", "src/test/resources/admission/pod-create-by-replicaset.json",
                "-rate", "100", "-warmup", "0s", "-duration", "3s", "-clients", "1");
        JsonNode updates = LoadClient.result(large, updateOut, 60);
        JsonNode beside = LoadClient.result(small, smallOut, 60);
        report.append("6.5 MiB UPDATE x3: ").append(updates).append("\n  small reviews beside them: ").append(beside).append('\n');
        LoadClient.report("overload.txt", report.toString());
        assertThat(updates.path("statuses").path("200").asLong()).as("6.5 MiB UPDATEs answered: %s", updates).isEqualTo(3);
        assertThat(beside.path("failed").asLong()).as("small reviews beside them: %s", beside).isZero();
        sampler.interrupt();
        report.append("max RSS: ").append(maxRss.get() / 1024).append(" MB\n");
        LoadClient.report("overload.txt", report.toString());
        assertThat(r.logText()).doesNotContain("OutOfMemoryError");
        // The goal, 256 MB: 200-203 MB measured with the image's flags (heap 96 MB fully touched, JIT at C1;
        // with C2's compiler arenas on top, 247-273). -Doverload.max-rss-mb measures other flags.
        assertThat(maxRss.get()).as("max RSS in kB").isLessThanOrEqualTo(Long.getLong("overload.max-rss-mb", 256) * 1024);
        long t0 = System.nanoTime();
        r.sigterm();
        assertThat(r.process.waitFor(30, TimeUnit.SECONDS)).as("SIGTERM honoured").isTrue();
        LoadClient.report("overload-sigterm.txt", "stopped " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms after SIGTERM\n");
    }

    private static void assertOnly(JsonNode statuses, String... allowed) {
        for (Iterator<Map.Entry<String, JsonNode>> it = statuses.fields(); it.hasNext(); ) {
            assertThat(it.next().getKey()).as("status %s", statuses).isIn((Object[]) allowed);
        }
    }
}

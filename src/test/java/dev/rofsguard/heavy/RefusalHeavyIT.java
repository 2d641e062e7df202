package dev.rofsguard.heavy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rofsguard.tls.TlsBootstrap;
import dev.rofsguard.web.LargeReviews;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A refusal costs the request it refuses and no other. A replica whose memory budget holds five small reviews (or
 * one large one) takes reviews from the Go client (client-go's transport) as soon as it is ready, so many are refused
 * with 503. Answered before the client had finished sending, each refusal made Go reset its stream; a burst of resets
 * tripped the server's reset-flood guard, whose GOAWAY (ENHANCE_YOUR_CALM) failed every stream on the connection
 * (475 requests in the dev/cold-takeover.sh run that found it; this test, before the fix, failed on the same error).
 * Every failure must be a 503.
 */
class RefusalHeavyIT {

    @Test
    void budgetRefusalsOfSmallReviewsOverHttp2KeepTheConnection(@TempDir Path dir) throws Exception {
        refusalsCostOnlyThemselves(dir, Path.of("src/test/resources/admission/pod-create-by-replicaset.json"), 2000, 4, "refusal-small.json");
    }

    /**
     * Large reviews (100 KB, over the 64 KiB of a small one), refused while the client is still sending them. Answered
     * at once with a reset of NO_ERROR after the answer (RFC 9113 §8.1), Go still reset some itself, and the guard's
     * GOAWAY came in one of two runs; bodies up to 1 MiB are now read and dropped before their 503 as small ones are.
     */
    @Test
    void budgetRefusalsOfLargeReviewsOverHttp2KeepTheConnection(@TempDir Path dir) throws Exception {
        Path large = dir.resolve("large.json");
        Files.write(large, LargeReviews.podCreate(100 * 1024));
        // One transport, so its connection carries every refusal (Netty's guard allows 200 resets in 30 s).
        refusalsCostOnlyThemselves(dir, large, 400, 1, "refusal-large.json");
    }

    /**
     * One review of tiny objects ({@code [{},{},…]}, 7 MiB, just under the body limit) builds ~29 bytes of tree per
     * body byte against the ~7 the budget reserves: it ran the image's 128 MB heap out of memory and the process
     * exited. Its tree now asks the budget for what it takes, and is refused with 503 when that is more than the budget
     * holds; the server stays up and answers the next review.
     */
    @Test
    void aReviewOfTinyObjectsIsRefusedRatherThanRunTheHeapOut(@TempDir Path dir) throws Exception {
        Path ca = TlsBootstrap.generate(dir, List.of("localhost"), List.of("127.0.0.1"));
        StringBuilder sb = new StringBuilder("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":"
                + "{\"uid\":\"u\",\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},\"operation\":\"CREATE\","
                + "\"namespace\":\"shop\",\"name\":\"big\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":"
                + "{\"name\":\"big\"},\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"nginx\",\"env\":[{}");
        while (sb.length() < 7 * 1024 * 1024 - 100) {
            sb.append(",{}");
        }
        Path tiny = dir.resolve("tiny-objects.json");
        Files.writeString(tiny, sb.append("]}]}}}}"));
        try (Replica r = Replica.start(dir, "tiny", 28482, 29082, "-Drofs-guard.shutdown.delay=0s")) {
            r.awaitReady();
            Path out = dir.resolve("tiny.json");
            Process client = LoadClient.start(out, "-mode", "paced", "-url", "https://127.0.0.1:28482/validate/enforce",
                    "-ca", ca.toString(), "-body", tiny.toString(), "-rate", "1", "-warmup", "0s", "-duration", "3s", "-clients", "1");
            JsonNode result = LoadClient.result(client, out, 120);
            Path after = dir.resolve("after.json");
            Process small = LoadClient.start(after, "-mode", "paced", "-url", "https://127.0.0.1:28482/validate/enforce",
                    "-ca", ca.toString(), "-body", "src/test/resources/admission/pod-create-by-replicaset.json",
                    "-rate", "50", "-warmup", "0s", "-duration", "1s", "-clients", "1");
            JsonNode next = LoadClient.result(small, after, 60);
            LoadClient.report("refusal-tiny-objects.json", result + "\nsmall reviews after them: " + next + "\nrefused by the memory budget (server): "
                    + r.metric("rofs_guard_refusals_total{reason=\"memory-budget\"}"));
            assertThat(r.process.isAlive()).as("the server is up: %s", r.logText().lines().filter(l -> l.contains("OutOfMemory")).toList()).isTrue();
            assertThat(result.path("statuses").path("503").asLong()).as("%s", result).isEqualTo(3);
            assertThat(r.metric("rofs_guard_refusals_total{reason=\"memory-budget\"}")).as("each counted where the budget said no")
                    .isEqualTo("3.0");
            assertThat(next.path("statuses").path("200").asLong()).as("%s", next).isEqualTo(50);
        }
    }

    private static void refusalsCostOnlyThemselves(Path dir, Path body, int rate, int transports, String report) throws Exception {
        Path ca = TlsBootstrap.generate(dir, List.of("localhost"), List.of("127.0.0.1"));
        // Capacity is the budget less one 64 KiB slice per admission worker at 9 bytes of heap per body byte: about
        // 120 KB left, five small reviews (~22 KB each with their overhead) at once, or one large one (always let in
        // when no other is in flight).
        try (Replica r = Replica.start(dir, "refusal", 28481, 29081, "-Drofs-guard.memory-budget=1300000",
                "-Drofs-guard.workers.threads=2", "-Drofs-guard.shutdown.delay=0s")) {
            r.awaitReady();
            // The warm-up's own requests can be refused too: count from here.
            double before = Double.parseDouble(r.metric("rofs_guard_refusals_total{reason=\"memory-budget\"}"));
            Path out = dir.resolve("refusal.json");
            Process client = LoadClient.start(out, "-mode", "paced", "-url", "https://127.0.0.1:28481/validate/audit",
                    "-ca", ca.toString(), "-body", body.toString(), "-rate", String.valueOf(rate), "-warmup", "0s",
                    "-duration", "5s", "-clients", String.valueOf(transports));
            JsonNode result = LoadClient.result(client, out, 120);
            double refused = Double.parseDouble(r.metric("rofs_guard_refusals_total{reason=\"memory-budget\"}")) - before;
            LoadClient.report(report, result + "\nrefused by the memory budget (server): " + refused);
            assertThat(result.path("statuses").path("503").asLong()).as("the budget refused some: %s", result).isPositive();
            assertThat(result.path("errors").size()).as("no request failed but by its own 503: %s", result).isZero();
            assertThat(result.path("failed").asLong()).isEqualTo(result.path("statuses").path("503").asLong());
            assertThat(refused).as("the server counted each 503").isEqualTo(result.path("statuses").path("503").asDouble());
        }
    }
}

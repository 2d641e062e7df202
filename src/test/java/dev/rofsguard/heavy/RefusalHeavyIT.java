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
     * Large reviews (100 KB, over the 64 KiB of a small one) are refused before their body is read, so the client is
     * still sending when the 503 comes; the server then asks it to stop with RST_STREAM(NO_ERROR) (RFC 9113 §8.1),
     * which Go honours without a reset of its own.
     */
    @Test
    void budgetRefusalsOfLargeReviewsOverHttp2KeepTheConnection(@TempDir Path dir) throws Exception {
        Path large = dir.resolve("large.json");
        Files.write(large, LargeReviews.podCreate(100 * 1024));
        // One transport, so its connection carries every refusal (Netty's guard allows 200 resets in 30 s).
        refusalsCostOnlyThemselves(dir, large, 400, 1, "refusal-large.json");
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

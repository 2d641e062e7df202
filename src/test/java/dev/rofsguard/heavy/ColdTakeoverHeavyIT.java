package dev.rofsguard.heavy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rofsguard.tls.TlsBootstrap;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica that has just become ready takes a whole rollout's load at once: 2,000 reviews a second for 10 s from
 * the Go client (client-go's transport, which dials a connection per request in flight until it has one: a burst of
 * TLS handshakes), with the image's JVM flags. Every request must be answered with 200 within the client's 10 s; the
 * first seconds' slowest answers are reported (per second, in target/heavy/cold-takeover.json).
 */
class ColdTakeoverHeavyIT {

    @Test
    void aJustReadyReplicaAnswersTheWholeLoad(@TempDir Path dir) throws Exception {
        Path ca = TlsBootstrap.generate(dir, List.of("localhost"), List.of("127.0.0.1"));
        try (Replica r = Replica.start(dir, "cold", 28491, 29091, "-Drofs-guard.shutdown.delay=0s")) {
            r.awaitReady();
            Path out = dir.resolve("cold.json");
            Process client = LoadClient.start(out, "-mode", "paced", "-url", "https://127.0.0.1:28491/validate/audit",
                    "-ca", ca.toString(), "-body", "src/test/resources/admission/pod-create-by-replicaset.json",
                    "-rate", String.valueOf(RolloutHeavyIT.RATE), "-warmup", "0s", "-duration", "10s", "-clients", "4");
            JsonNode result = LoadClient.result(client, out, 120);
            LoadClient.report("cold-takeover.json", result.toString());
            assertThat(result.path("failed").asLong()).as("failed requests: %s", result).isZero();
            assertThat(result.path("ok").asLong()).isEqualTo(RolloutHeavyIT.RATE * 10L);
            assertThat(result.path("rate_sent").asDouble()).as("paced rate").isGreaterThanOrEqualTo(RolloutHeavyIT.RATE * 0.97);
        }
    }
}

package dev.rofsguard.web;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.rofsguard.Fixtures;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.config.RestAssuredConfig;
import io.restassured.config.SSLConfig;
import io.restassured.specification.RequestSpecification;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The memory budget applies before the body is read: while a slow sender holds a large reservation, another large
 * review is refused at once with 503 + Retry-After (counted), small reviews are still answered, and the reservation
 * goes when the sender does.
 */
@QuarkusTest
@QuarkusTestResource(TestTls.class)
@TestProfile(BodyBudgetTest.Tight.class)
class BodyBudgetTest {

    public static class Tight implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("rofs-guard.memory-budget", String.valueOf(32 * 1024 * 1024),
                    "rofs-guard.memory-budget.heap-per-body-byte", "10",
                    "rofs-guard.body-timeout", "15s");
        }
    }

    private RequestSpecification https() throws Exception {
        return given().config(RestAssuredConfig.config().sslConfig(SSLConfig.sslConfig().trustStore(TestTls.trustStore())))
                .baseUri(AdmissionEndpointsTest.BASE).contentType("application/json");
    }

    @org.junit.jupiter.api.BeforeEach
    void ready() {
        // The warm-up posts to us too; start from an idle server.
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> given().baseUri("http://localhost:9001").get("/q/health/ready").statusCode() == 200);
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(budgetUsed()).isZero());
    }

    @Test
    void aSlowLargeBodyHoldsItsReservationOthersAreRefusedFastSmallOnesPass() throws Exception {
        byte[] twoMiB = LargeReviews.podCreate(2 * 1024 * 1024); // 21 MB of budget: over 3/4 of 32 MiB with a second one
        try (SSLSocket slow = socket()) {
            OutputStream out = slow.getOutputStream();
            out.write(("POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                    + twoMiB.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(twoMiB, 0, 1000);
            out.flush();
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> budgetUsed() > 20_000_000);

            https().body(twoMiB).post("/validate").then().statusCode(503).header("Retry-After", "1")
                    .body("kind", equalTo("Status")).body("message", containsString("rofs-guard.memory-budget"));
            https().body(Fixtures.review("pod-create-compliant.json")).post("/validate").then().statusCode(200)
                    .body("response.allowed", equalTo(true));
            given().baseUri("http://localhost:9001").get("/q/metrics").then()
                    .body(containsString("rofs_guard_refusals_total{reason=\"memory-budget\"} 1.0"));
        }
        // The sender went away mid-body: its reservation is released, and the large review is answered.
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> budgetUsed() == 0);
        https().body(twoMiB).post("/validate").then().statusCode(200).body("response.allowed", equalTo(true));
    }

    @Test
    void aSenderThatStallsMidBodyIsCutOffAndItsReservationReleased() throws Exception {
        try (SSLSocket slow = socket()) {
            OutputStream out = slow.getOutputStream();
            out.write(("POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 3000000\r\n\r\n{")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Awaitility.await().atMost(Duration.ofSeconds(3)).until(() -> budgetUsed() > 0);
            // rofs-guard.body-timeout=15s: the connection is closed and the budget is free again, without the client's help.
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> budgetUsed() == 0);
            assertThat(slow.getInputStream().read()).isEqualTo(-1);
        }
        given().baseUri("http://localhost:9001").get("/q/metrics").then()
                .body(containsString("rofs_guard_refusals_total{reason=\"body-timeout\"} 1.0"));
    }

    private static double budgetUsed() {
        String metrics = given().baseUri("http://localhost:9001").get("/q/metrics").asString();
        return metrics.lines().filter(l -> l.startsWith("rofs_guard_memory_budget_used_bytes "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1))).findFirst().orElse(-1);
    }

    private static SSLSocket socket() throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(TestTls.trustStore());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        SSLSocket socket = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", 8444);
        socket.setSoTimeout(30000);
        socket.startHandshake();
        return socket;
    }
}

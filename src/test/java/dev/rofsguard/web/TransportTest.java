package dev.rofsguard.web;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.rofsguard.Fixtures;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.config.RestAssuredConfig;
import io.restassured.config.SSLConfig;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/** Transport rules over real HTTPS: body limit, JSON limits, TLS versions and suites, refusals counted. */
@QuarkusTest
@QuarkusTestResource(TestTls.class)
class TransportTest {

    private RequestSpecification https() throws Exception {
        return given().config(RestAssuredConfig.config().sslConfig(SSLConfig.sslConfig().trustStore(TestTls.trustStore())))
                .baseUri(AdmissionEndpointsTest.BASE).contentType("application/json");
    }

    /** An UPDATE carries object and oldObject, each up to 3 MiB at the API server: 6.5 MiB must be answered, not 413. */
    @Test
    void aLargeUpdateIsAnswered() throws Exception {
        byte[] update = LargeReviews.podUpdate((int) (6.5 * 1024 * 1024));
        assertThat(update.length).isGreaterThan(6 * 1024 * 1024 + 512 * 1024 - 1024).isLessThan(7 * 1024 * 1024);
        https().body(update).post("/validate/enforce").then().statusCode(200)
                .body("response.uid", equalTo("7f0e4c1d-large-review-update"))
                .body("response.allowed", equalTo(true));
    }

    @Test
    void overJsonLimitsIsA400StatusOverHttpsToo() throws Exception {
        String review = new String(Fixtures.review("pod-create-compliant.json"), StandardCharsets.UTF_8);
        String deep = review.replace("\"request\": {", "\"request\": {\"deep\":" + "[".repeat(1001) + "]".repeat(1001) + ",");
        https().body(deep).post("/mutate").then().statusCode(400).body("kind", equalTo("Status"))
                .body("message", containsString("nesting depth"));
        https().body(review + "}").post("/validate").then().statusCode(400).body("kind", equalTo("Status"));
    }

    @Test
    void refusalsAreCountedByReason() throws Exception {
        byte[] big = new byte[8 * 1024 * 1024];
        java.util.Arrays.fill(big, (byte) ' ');
        https().body(big).post("/validate").then().statusCode(413);
        given().baseUri("http://localhost:9001").get("/q/metrics").then().statusCode(200)
                .body(containsString("rofs_guard_refusals_total{reason=\"body-too-large\"}"))
                .body(containsString("rofs_guard_refusals_total{reason=\"memory-budget\"} 0.0"))
                .body(containsString("rofs_guard_memory_budget_bytes"));
    }

    /** API servers held to TLS 1.2 (FIPS builds) connect, with a forward-secret AEAD suite. */
    @Test
    void tls12IsOfferedWithEcdheAeadSuites() throws Exception {
        try (SSLSocket socket = socket()) {
            socket.setEnabledProtocols(new String[] {"TLSv1.2"});
            socket.startHandshake();
            assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.2");
            assertThat(socket.getSession().getCipherSuite()).startsWith("TLS_ECDHE_").containsAnyOf("_GCM_", "_CHACHA20_POLY1305_");
        }
        try (SSLSocket socket = socket()) {
            socket.startHandshake();
            assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.3");
        }
    }

    @Test
    void tls12WithoutForwardSecrecyOrAeadIsRefused() throws Exception {
        for (String suite : Set.of("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
                "TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256")) {
            try (SSLSocket socket = socket()) {
                socket.setEnabledProtocols(new String[] {"TLSv1.2"});
                socket.setEnabledCipherSuites(new String[] {suite});
                assertThatThrownBy(socket::startHandshake).as(suite).isInstanceOf(SSLHandshakeException.class);
            }
        }
    }

    private static SSLSocket socket() throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(TestTls.trustStore());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        SSLSocket socket = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", 8444);
        socket.setSoTimeout(5000);
        return socket;
    }
}

package dev.rofsguard.web;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rofsguard.Fixtures;
import dev.rofsguard.engine.Judge;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The engine never runs on an event loop. With one event loop for the whole server (both ports), a judgement held
 * open (the judge blocks until the test lets it go) must leave that loop free: health on the management port and a
 * request the transport answers itself (an unknown mode: 404) are answered while it is held. Were the engine on the
 * event loop, both would wait for it. Deterministic: nothing here depends on how long anything takes.
 */
@QuarkusTest
@QuarkusTestResource(TestTls.class)
@TestProfile(EngineOffEventLoopTest.OneEventLoop.class)
class EngineOffEventLoopTest {

    public static class OneEventLoop implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.vertx.event-loops-pool-size", "1");
        }
    }

    @Inject
    PolicyHolder real;

    @Test
    void aJudgementHeldOpenLeavesTheEventLoopFree() throws Exception {
        Awaitility.await().atMost(Duration.ofSeconds(60))
                .until(() -> given().baseUri("http://localhost:9001").get("/q/health/ready").statusCode() == 200);
        Judge judge = real.current();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        String[] engineThread = new String[1];
        QuarkusMock.installMockForType(new PolicyHolder() {
            @Override
            public Judge current() {
                engineThread[0] = Thread.currentThread().getName();
                entered.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return judge;
            }
        }, PolicyHolder.class);

        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(TestTls.trustStore());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        HttpClient https = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        byte[] review = Fixtures.bytes("admission/pod-create-by-replicaset.json");
        CompletableFuture<HttpResponse<String>> held = https.sendAsync(HttpRequest.newBuilder(URI.create(AdmissionEndpointsTest.BASE + "/validate/enforce"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(review)).build(),
                HttpResponse.BodyHandlers.ofString());
        try {
            assertThat(entered.await(30, TimeUnit.SECONDS)).as("the review reached the engine").isTrue();

            HttpResponse<String> live = http.send(HttpRequest.newBuilder(URI.create("http://localhost:9001/q/health/live"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(live.statusCode()).isEqualTo(200);
            HttpResponse<String> unknown = https.send(HttpRequest.newBuilder(URI.create(AdmissionEndpointsTest.BASE + "/validate/strict"))
                    .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(review)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(held).as("still held while the others were answered").isNotDone();
            assertThat(engineThread[0]).as("the engine's thread").startsWith("rofs-guard-admission").doesNotContain("eventloop");
        } finally {
            release.countDown();
            QuarkusMock.installMockForType(real, PolicyHolder.class);
        }
        HttpResponse<String> answered = held.get(30, TimeUnit.SECONDS);
        assertThat(answered.statusCode()).isEqualTo(200);
        assertThat(answered.body()).contains("\"uid\":\"3f6c2f1e-8a7d-4c1b-9a55-0c2d9e1b7a01\"", "\"allowed\":false");
    }
}

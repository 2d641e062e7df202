package dev.rofsguard.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

import dev.rofsguard.Fixtures;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.config.RestAssuredConfig;
import io.restassured.config.SSLConfig;
import org.junit.jupiter.api.Test;

/** Prometheus metrics on the management port: requests by operation, kind, mode and decision; latency; patches. */
@QuarkusTest
@QuarkusTestResource(TestTls.class)
class MetricsTest {

    @Test
    void admissionsAreCountedAndTimed() throws Exception {
        var https = given().config(RestAssuredConfig.config().sslConfig(SSLConfig.sslConfig().trustStore(TestTls.trustStore())))
                .baseUri(AdmissionEndpointsTest.BASE).contentType("application/json");
        https.body(Fixtures.review("pod-create-by-replicaset.json")).post("/validate/enforce").then().statusCode(200);
        given().config(RestAssuredConfig.config().sslConfig(SSLConfig.sslConfig().trustStore(TestTls.trustStore())))
                .baseUri(AdmissionEndpointsTest.BASE).contentType("application/json")
                .body(Fixtures.review("pod-create-by-replicaset.json")).post("/mutate").then().statusCode(200);
        given().baseUri("http://localhost:9001").get("/q/metrics").then().statusCode(200)
                .body(containsString("rofs_guard_admission_requests_total{decision=\"deny\",endpoint=\"validate\",kind=\"Pod\",mode=\"enforce\",operation=\"CREATE\"}"))
                .body(containsString("rofs_guard_admission_duration_seconds_bucket{endpoint=\"mutate\""))
                .body(containsString("rofs_guard_patches_applied_total{entry=\"nginx\"}"));
    }

    @jakarta.inject.Inject
    Admissions admissions;

    @jakarta.inject.Inject
    io.micrometer.core.instrument.MeterRegistry registry;

    @Test
    void theWarmupsOwnRequestsAreNotCounted() throws Exception {
        byte[] warmup;
        try (var in = Warmup.class.getResourceAsStream("/warmup/pod-compliant.json")) {
            warmup = in.readAllBytes();
        }
        double before = requests();
        admissions.answer("validate", System.nanoTime(), admissions.validating().validate(warmup, null, true));
        org.assertj.core.api.Assertions.assertThat(requests()).isEqualTo(before);
        admissions.answer("validate", System.nanoTime(), admissions.validating().validate(Fixtures.review("pod-create-compliant.json"), null, true));
        org.assertj.core.api.Assertions.assertThat(requests()).isEqualTo(before + 1);
    }

    private double requests() {
        return registry.find("rofs_guard_admission_requests").counters().stream()
                .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
    }
}

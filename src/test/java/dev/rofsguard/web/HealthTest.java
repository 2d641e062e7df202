package dev.rofsguard.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Ready only after the warm-up ran the full path (engine and HTTPS); probes and metrics on the management port. */
@QuarkusTest
@QuarkusTestResource(TestTls.class)
class HealthTest {

    @Test
    void readyAfterWarmup() {
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                given().baseUri("http://localhost:9001").get("/q/health/ready").then().statusCode(200)
                        .body("status", equalTo("UP")).body("checks.find { it.name == 'rofs-guard' }.data.warmup", equalTo("done")));
        given().baseUri("http://localhost:9001").get("/q/health/live").then().statusCode(200);
    }
}

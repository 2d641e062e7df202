package dev.rofsguard.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rofsguard.Fixtures;
import dev.rofsguard.engine.Judge;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AdmissionReviewsTest {

    private final Judge engine = Fixtures.engine("-");
    private final ValidatingAdmission admission = new ValidatingAdmission(() -> engine);

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            not json                                                                            | not valid JSON
            '[1,2]'                                                                             | JSON array
            '"text"'                                                                            | JSON string
            '{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{}}'   | unsupported apiVersion
            '{"apiVersion":"admission.k8s.io/v1","kind":"Pod"}'                                 | kind must be AdmissionReview
            '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}'                     | no request object
            '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"kind":{"kind":"Pod"},"operation":"CREATE"}}' | request.uid is missing
            '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","kind":{"kind":"Pod"},"operation":"PATCH"}}' | is not one of CREATE
            '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"CREATE"}}' | request.kind.kind is missing
            """)
    void badInputIsA400WithAClearJsonMessage(String body, String message) throws Exception {
        AdmissionAnswer answer = admission.validate(body.getBytes(StandardCharsets.UTF_8), null, true);
        assertThat(answer.status()).isEqualTo(400);
        JsonNode json = AdmissionReviews.mapper().readTree(answer.body());
        assertThat(json.path("message").asText()).contains(message);
        assertThat(json.path("code").asInt()).isEqualTo(400);
        assertThat(new String(answer.body(), StandardCharsets.UTF_8)).doesNotContain("at dev.rofsguard", "Exception");
    }

    /** Jackson's stream limits and trailing content: bad input, a 400 with a Status, never a 500 or an NPE. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            nesting 1001     | nesting depth
            number 1001      | Number value length
            key 50001        | Name length
            trailing garbage | not valid JSON
            second document  | Trailing token
            """)
    void overJacksonLimitsOrTrailingContentIsA400(String shape, String message) throws Exception {
        String review = new String(Fixtures.review("pod-create-compliant.json"), StandardCharsets.UTF_8).trim();
        String hole = "\"request\": {";
        String body = switch (shape) {
            case "nesting 1001" -> review.replace(hole, hole + "\"deep\":" + "[".repeat(1001) + "]".repeat(1001) + ",");
            case "number 1001" -> review.replace(hole, hole + "\"n\":1" + "0".repeat(1000) + ",");
            case "key 50001" -> review.replace(hole, hole + "\"" + "k".repeat(50_001) + "\":1,");
            case "trailing garbage" -> review + " garbage";
            case "second document" -> review + review;
            default -> throw new IllegalArgumentException(shape);
        };
        assertThat(body).isNotEqualTo(review);
        for (AdmissionAnswer answer : new AdmissionAnswer[] {admission.validate(body.getBytes(StandardCharsets.UTF_8), null, true),
                new MutatingAdmission(() -> engine).mutate(body.getBytes(StandardCharsets.UTF_8))}) {
            assertThat(answer.status()).isEqualTo(400);
            JsonNode json = AdmissionReviews.mapper().readTree(answer.body());
            assertThat(json.path("kind").asText()).isEqualTo("Status");
            assertThat(json.path("message").asText()).containsIgnoringCase(message).doesNotContain("Exception");
        }
    }

    @Test
    void justUnderJacksonLimitsIsAnswered() {
        String review = new String(Fixtures.review("pod-create-compliant.json"), StandardCharsets.UTF_8);
        String hole = "\"request\": {";
        String body = review.replace(hole, hole + "\"deep\":" + "[".repeat(990) + "]".repeat(990) + ",\"n\":1"
                + "0".repeat(999) + ",\"" + "k".repeat(50_000) + "\":1,");
        assertThat(admission.validate(body.getBytes(StandardCharsets.UTF_8), null, true).status()).isEqualTo(200);
    }

    @Test
    void anEmptyBodyIsA400() {
        assertThat(admission.validate(new byte[0], null, true).status()).isEqualTo(400);
    }

    @Test
    void responseEchoesUidAndSpeaksV1() throws Exception {
        AdmissionAnswer answer = admission.validate(Fixtures.review("pod-create-by-replicaset.json"), null, true);
        JsonNode json = AdmissionReviews.mapper().readTree(answer.body());
        assertThat(json.path("apiVersion").asText()).isEqualTo("admission.k8s.io/v1");
        assertThat(json.path("kind").asText()).isEqualTo("AdmissionReview");
        assertThat(json.path("response").path("uid").asText()).isEqualTo("3f6c2f1e-8a7d-4c1b-9a55-0c2d9e1b7a01");
        assertThat(json.path("response").path("allowed").asBoolean()).isFalse();
        assertThat(json.path("response").path("status").path("code").asInt()).isEqualTo(403);
        assertThat(json.path("response").path("status").path("message").asText())
                .contains("Pod shop/web-7d9c8b6f5d-* (owned by ReplicaSet web-7d9c8b6f5d)")
                .contains("containers \"nginx\"").contains("readOnlyRootFilesystem: true");
        assertThat(json.path("response").has("patch")).isFalse();
    }

    @Test
    void unknownKindIsAllowedWithNothingToSay() throws Exception {
        JsonNode json = AdmissionReviews.mapper().readTree(admission.validate(Fixtures.review("configmap-create.json"), null, true).body());
        assertThat(json.path("response").path("allowed").asBoolean()).isTrue();
        assertThat(json.path("response").has("warnings")).isFalse();
        assertThat(json.path("response").has("status")).isFalse();
    }

    @Test
    void warningsStayWithinTheApiServerLimitsForManyLongNamedContainers() throws Exception {
        StringBuilder containers = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            containers.append(i == 0 ? "" : ",").append("{\"name\":\"c").append(i).append("-").append("x".repeat(55)).append("\",\"image\":\"nginx\"}");
        }
        String review = "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\","
                + "\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},\"operation\":\"CREATE\",\"namespace\":\"shop\","
                + "\"object\":{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[" + containers + "]}}}}";
        JsonNode json = AdmissionReviews.mapper().readTree(admission.validate(review.getBytes(StandardCharsets.UTF_8),
                dev.rofsguard.policy.Mode.WARN, true).body());
        JsonNode warnings = json.path("response").path("warnings");
        int total = 0;
        for (JsonNode w : warnings) {
            assertThat(w.asText().length()).isLessThanOrEqualTo(256);
            assertThat(w.asText()).endsWith("readOnlyRootFilesystem: true");
            total += w.asText().length();
        }
        assertThat(total).isLessThanOrEqualTo(4096);
        assertThat(warnings.size()).isGreaterThan(10);
    }
}

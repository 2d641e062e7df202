package dev.rofsguard.web;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rofsguard.Fixtures;
import dev.rofsguard.admission.AdmissionReviews;
import io.fabric8.zjsonpatch.JsonPatch;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.config.RestAssuredConfig;
import io.restassured.config.SSLConfig;
import io.restassured.specification.RequestSpecification;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The pair over real HTTPS, in the order the API server calls them: mutate, apply the patch, validate. */
@QuarkusTest
@QuarkusTestResource(TestTls.class)
class MutateEndpointTest {

    private RequestSpecification https() throws Exception {
        return given().config(RestAssuredConfig.config().sslConfig(SSLConfig.sslConfig().trustStore(TestTls.trustStore())))
                .baseUri(AdmissionEndpointsTest.BASE).contentType("application/json");
    }

    @Test
    void aDeploymentMadeNginxPodBecomesCompliantAndIsThenAllowed() throws Exception {
        byte[] review = Fixtures.review("pod-create-by-replicaset.json");
        JsonNode mutated = AdmissionReviews.mapper().readTree(https().body(review).post("/mutate").then().statusCode(200)
                .body("response.uid", equalTo("3f6c2f1e-8a7d-4c1b-9a55-0c2d9e1b7a01"))
                .body("response.allowed", equalTo(true))
                .body("response.patchType", equalTo("JSONPatch"))
                .body("response.auditAnnotations.mutated", equalTo("nginx: /var/cache/nginx,/var/run +readOnlyRootFilesystem"))
                .extract().asByteArray());
        JsonNode patch = AdmissionReviews.mapper().readTree(Base64.getDecoder().decode(mutated.path("response").path("patch").asText()));

        ObjectNode next = (ObjectNode) AdmissionReviews.mapper().readTree(review);
        ObjectNode request = (ObjectNode) next.path("request");
        request.set("object", JsonPatch.apply(patch, request.path("object")));
        https().body(AdmissionReviews.toBytes(next)).post("/validate/enforce").then().statusCode(200)
                .body("response.allowed", equalTo(true)).body("response.auditAnnotations.outcome", equalTo("pass"));

        // Unpatched, the same pod is denied: the pass above is the mutation's doing.
        https().body(review).post("/validate/enforce").then().statusCode(200).body("response.allowed", equalTo(false));
    }

    @Test
    void ephemeralDebugContainersGetTheFlag() throws Exception {
        JsonNode answer = AdmissionReviews.mapper().readTree(https().body(Fixtures.review("pod-ephemeral-update.json"))
                .post("/mutate").then().statusCode(200).extract().asByteArray());
        String patch = new String(Base64.getDecoder().decode(answer.path("response").path("patch").asText()));
        assertThat(patch).contains("/spec/ephemeralContainers/0/securityContext").contains("readOnlyRootFilesystem");
    }

    @Test
    void workloadsAreNotPatchedButPassWhenTheMutationWillFixTheirPods() throws Exception {
        byte[] deployment = Fixtures.review("deployment-nginx-create.json");
        https().body(deployment).post("/mutate").then().statusCode(200).body("response.allowed", equalTo(true))
                .body("response.patch", equalTo(null));
        https().body(deployment).post("/validate/enforce").then().statusCode(200).body("response.allowed", equalTo(true))
                .body("response.warnings[0]", org.hamcrest.Matchers.containsString("its pods will get readOnlyRootFilesystem: true"));
        https().body(deployment).post("/validate/enforce/no-mutation").then().statusCode(200).body("response.allowed", equalTo(false));
    }

    @Test
    void badInputToMutateIsA400() throws Exception {
        https().body("{\"apiVersion\":\"admission.k8s.io/v1beta1\"}").post("/mutate").then().statusCode(400)
                .body("kind", equalTo("Status"));
    }
}

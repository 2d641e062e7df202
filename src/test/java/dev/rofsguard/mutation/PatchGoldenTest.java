package dev.rofsguard.mutation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rofsguard.Fixtures;
import dev.rofsguard.admission.AdmissionRequest;
import dev.rofsguard.admission.AdmissionReviews;
import dev.rofsguard.admission.MutatingAdmission;
import dev.rofsguard.engine.Judge;
import io.fabric8.zjsonpatch.JsonPatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Golden files: for each fixture, the expected patch and the pod after applying it with an independent JSON Patch
 * implementation (fabric8 zjsonpatch). Regenerate with {@code -Dgolden.update=true} and review the diff.
 */
class PatchGoldenTest {


    @ParameterizedTest(name = "{0} [{1}]")
    @CsvSource(delimiter = '|', textBlock = """
            # fixture                                   | policy             | warnings
            pod-create-by-replicaset.json               | -                  | 0
            pod-nginx-no-volumes.json                   | -                  | 0
            pod-nginx-partial.json                      | -                  | 0
            pod-nginx-flag-false.json                   | -                  | 0
            pod-nginx-name-collision.json               | -                  | 0
            pod-postgres-17-no-data-volume.json         | -                  | 1
            pod-postgres-18-with-pvc.json               | -                  | 0
            pod-unknown-image.json                      | -                  | 0
            pod-init-node-and-python.json               | -                  | 0
            pod-windows-nginx.json                      | -                  | 0
            pod-kube-system-nginx.json                  | -                  | 0
            pod-odd-container-name.json                 | -                  | 0
            pod-no-metadata-annotations-memcached.json  | -                  | 0
            pod-create-compliant.json                   | -                  | 0
            pod-nginx-no-volumes.json                   | debug-volume.yaml  | 0
            pod-nginx-no-volumes.json                   | mutation-off.yaml  | 0
            pod-ephemeral-update.json                   | -                  | 0
            pod-update-finalizer.json                   | -                  | 0
            """)
    void patchAndPatchedPodMatchTheGoldenFiles(String fixture, String policy, int warnings) throws Exception {
        Judge engine = Fixtures.engine(policy);
        AdmissionRequest request = AdmissionReviews.parse(Fixtures.review(fixture));
        JsonNode response = AdmissionReviews.mapper().readTree(new MutatingAdmission(() -> engine).mutate(request).body())
                .path("response");
        assertThat(response.path("allowed").asBoolean()).isTrue();
        assertThat(response.path("uid").asText()).isEqualTo(request.uid());
        JsonNode patch = response.has("patch")
                ? AdmissionReviews.mapper().readTree(Base64.getDecoder().decode(response.path("patch").asText()))
                : AdmissionReviews.mapper().createArrayNode();
        if (response.has("patch")) {
            assertThat(response.path("patchType").asText()).isEqualTo("JSONPatch");
        }
        // Applied as the API server applies it: to the object it holds, managedFields included (the review's tree
        // leaves them out: nothing here reads them).
        JsonNode held = AdmissionReviews.mapper().readTree(Fixtures.review(fixture)).path("request").path("object");
        JsonNode patched = JsonPatch.apply(patch, held);
        assertThat(response.path("warnings").size()).isEqualTo(warnings);

        String name = fixture.replace(".json", "") + ("-".equals(policy) ? "" : "." + policy.replace(".yaml", ""));
        Fixtures.assertGolden("mutation/" + name + ".patch.json", patch);
        Fixtures.assertGolden("mutation/" + name + ".pod.json", patched);

        // Idempotent: the patched pod, reviewed again (reinvocationPolicy: IfNeeded), yields no operation.
        AdmissionRequest again = request.withObject(patched);
        JsonNode second = AdmissionReviews.mapper().readTree(new MutatingAdmission(() -> engine).mutate(again).body());
        assertThat(second.path("response").has("patch")).as("second mutation").isFalse();
    }

}

package dev.rofsguard.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rofsguard.Fixtures;
import dev.rofsguard.admission.AdmissionRequest;
import dev.rofsguard.admission.AdmissionReviews;
import dev.rofsguard.admission.MutatingAdmission;
import dev.rofsguard.admission.ValidatingAdmission;
import dev.rofsguard.engine.Judge;
import dev.rofsguard.policy.Mode;
import dev.rofsguard.policy.Verdict;
import io.fabric8.zjsonpatch.JsonPatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden files for every shipped catalog entry and for each reference shape: the patch, the patched pod, and what the
 * webhook says (warnings of the mutation, the enforce verdict on the patched pod). Fixtures come from
 * {@code dev/catalog-fixtures.py}; regenerate the goldens with {@code -Dgolden.update=true} and review the diff.
 */
class CatalogGoldenTest {

    private static final Judge ENGINE = Fixtures.engine("-");

    static Stream<String> fixtures() throws IOException {
        try (Stream<Path> files = Files.list(Fixtures.path("admission"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("pod-catalog-") && n.endsWith(".json"))
                    .sorted().toList().stream();
        }
    }

    /** A new entry cannot ship without its fixture, and the fixture's image must select that entry. */
    @Test
    void everyShippedEntryHasAFixtureThatMatchesIt() {
        Catalog catalog = ENGINE.config().catalog();
        for (CatalogEntry e : catalog.entries()) {
            String fixture = "pod-catalog-" + e.name() + ".json";
            assertThat(Files.exists(Fixtures.path("admission").resolve(fixture))).as(fixture + " (dev/catalog-fixtures.py)").isTrue();
            AdmissionRequest r = parse(fixture);
            String image = r.object().path("spec").path("containers").path(0).path("image").asText();
            assertThat(catalog.match(image)).as(image).get().extracting(Catalog.Match::entry).isEqualTo(e.name());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void patchPodAndVerdictMatchTheGoldenFiles(String fixture) throws Exception {
        AdmissionRequest request = parse(fixture);
        JsonNode response = AdmissionReviews.mapper().readTree(new MutatingAdmission(() -> ENGINE).mutate(request).body()).path("response");
        assertThat(response.path("allowed").asBoolean()).isTrue();
        JsonNode patch = response.has("patch")
                ? AdmissionReviews.mapper().readTree(Base64.getDecoder().decode(response.path("patch").asText()))
                : AdmissionReviews.mapper().createArrayNode();
        JsonNode patched = JsonPatch.apply(patch, request.object());
        validPod(patched);

        AdmissionRequest stored = request.withObject(patched);
        Verdict verdict = new ValidatingAdmission(() -> ENGINE).validate(stored, Mode.ENFORCE, true).decision().verdict();
        ObjectNode said = AdmissionReviews.mapper().createObjectNode();
        said.set("warnings", response.path("warnings").isArray() ? response.get("warnings") : AdmissionReviews.mapper().createArrayNode());
        said.put("enforce", verdict.outcome().name());
        said.put("reason", verdict.reason());

        String name = fixture.replace(".json", "");
        Fixtures.assertGolden("mutation/" + name + ".patch.json", patch);
        Fixtures.assertGolden("mutation/" + name + ".pod.json", patched);
        Fixtures.assertGolden("mutation/" + name + ".verdict.json", said);

        JsonNode second = AdmissionReviews.mapper().readTree(new MutatingAdmission(() -> ENGINE).mutate(stored).body());
        assertThat(second.path("response").has("patch")).as("second mutation is empty").isFalse();
    }

    /**
     * What the API server checks of a pod that matters here: unique container names, unique volume names, unique
     * mount paths per container, every mount backed by a volume.
     */
    static void validPod(JsonNode pod) {
        JsonNode spec = pod.path("spec");
        Set<String> volumes = new HashSet<>();
        for (JsonNode v : spec.path("volumes")) {
            assertThat(volumes.add(v.path("name").asText())).as("volume name " + v.path("name")).isTrue();
        }
        Set<String> names = new HashSet<>();
        List<JsonNode> all = new ArrayList<>();
        spec.path("initContainers").forEach(all::add);
        spec.path("containers").forEach(all::add);
        for (JsonNode c : all) {
            assertThat(names.add(c.path("name").asText())).as("container name " + c.path("name")).isTrue();
            Set<String> paths = new HashSet<>();
            for (JsonNode m : c.path("volumeMounts")) {
                assertThat(paths.add(m.path("mountPath").asText())).as(c.path("name") + " mountPath " + m.path("mountPath")).isTrue();
                assertThat(volumes).as(c.path("name") + " mount " + m.path("name")).contains(m.path("name").asText());
            }
        }
    }

    private static AdmissionRequest parse(String fixture) {
        try {
            return AdmissionReviews.parse(Fixtures.review(fixture));
        } catch (dev.rofsguard.admission.BadReviewException e) {
            throw new IllegalStateException(fixture, e);
        }
    }


}

package dev.rofsguard.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rofsguard.Fixtures;
import dev.rofsguard.engine.Judge;
import dev.rofsguard.engine.Origin;
import dev.rofsguard.manifest.Document;
import dev.rofsguard.manifest.ManifestReader;
import dev.rofsguard.mutation.Plan;
import io.fabric8.zjsonpatch.JsonPatch;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code audit --fix}: the plan applied to the YAML as written; meaning, quoting and comments kept. */
class FixedManifestsTest {

    private static final Judge JUDGE = Fixtures.engine("-");

    private static Function<Document, Plan> plans() {
        return d -> AuditReport.audit(JUDGE, d, Origin.manifest(true), "default").map(AuditedObject::plan).orElse(Plan.NONE);
    }

    private static ManifestReader.Result read(String resource) {
        return ManifestReader.read(List.of(Fixtures.path("manifests/" + resource).toString()), InputStream.nullInputStream());
    }

    private static ManifestReader.Result reread(String text) {
        ManifestReader.Result r = ManifestReader.read(List.of("-"), new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
        assertThat(r.errors()).as(text).isEmpty();
        return r;
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', textBlock = """
            /metadata/annotations/version                    | 3.10
            /spec/template/spec/containers/0/env/0/value     | 12:30
            /spec/template/spec/containers/0/env/1/value     | 0x1F
            /spec/template/spec/containers/0/env/2/value     | 1_000
            /spec/template/spec/containers/0/env/3/value     | .inf
            /spec/template/spec/containers/0/env/4/value     | yes
            """)
    void quotedScalarsStayStrings(String pointer, String value) {
        String fixed = FixedManifests.render(read("quoted.yaml").documents(), plans());
        JsonNode deployment = reread(fixed).documents().get(0).object();
        assertThat(deployment.at(pointer).isTextual()).as(fixed).isTrue();
        assertThat(deployment.at(pointer).asText()).isEqualTo(value);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"quoted.yaml", "mixed.yaml", "catalog-known.yaml", "nginx-pod.json", "hardened-pod.yaml"})
    void everyDocumentIsTheOriginalWithItsPlanApplied(String manifest) {
        List<Document> documents = read(manifest).documents();
        List<Document> fixed = reread(FixedManifests.render(documents, plans())).documents();
        assertThat(fixed).hasSameSizeAs(documents);
        for (int i = 0; i < documents.size(); i++) {
            Document d = documents.get(i);
            JsonNode expected = plans().apply(d).isEmpty() ? d.object() : JsonPatch.apply(plans().apply(d).jsonPatch(), d.object());
            assertThat(fixed.get(i).object()).as(manifest + " document " + i).isEqualTo(expected);
        }
    }

    @Test
    void commentsAreKeptAndTheHeaderSaysWhatChanged() {
        String fixed = FixedManifests.render(read("quoted.yaml").documents(), plans());
        assertThat(fixed).startsWith("# rofs-guard audit --fix:").contains("# web tier").contains("# the front")
                .contains("# ports below").doesNotContain("could not be kept");
        assertThat(fixed).contains("mountPath: /var/cache/nginx").contains("readOnlyRootFilesystem: true");
    }

    @Test
    void theHeaderSaysWhichCommentsCouldNotBeKept() {
        String yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: nginx\n"
                + "      args: [a, # inside a flow sequence\n        b]\n";
        List<Document> documents = new java.util.ArrayList<>();
        ManifestReader.parse("pod.yaml", yaml, documents, new java.util.ArrayList<>());
        String fixed = FixedManifests.render(documents, plans());
        assertThat(fixed.lines().limit(2)).containsExactly(
                "# rofs-guard audit --fix: the catalog's volumes and readOnlyRootFilesystem added; quoting kept, NOT every comment, "
                        + "indentation normalised",
                "# rofs-guard: 1 comment(s) of pod.yaml (document 1) could not be kept");
        assertThat(reread(fixed).documents().get(0).object().at("/spec/containers/0/args").toString()).isEqualTo("[\"a\",\"b\"]");
    }

    @Test
    void aFlowStyleContainerOpensUpToBlockStyleWhereTheFixGoes() {
        String fixed = FixedManifests.render(read("quoted.yaml").documents(), plans());
        // the List's pod: `containers: [{name: c, image: "nginx:1.27"}]` gains its mounts in block style
        assertThat(fixed).contains("image: \"nginx:1.27\"").doesNotContain("containers: [");
    }

    @Test
    void anAlreadyHardenedPodGetsNothingAdded() {
        List<Document> documents = read("hardened-pod.yaml").documents();
        assertThat(plans().apply(documents.get(0)).ops()).isEmpty();
        Document fixed = reread(FixedManifests.render(documents, plans())).documents().get(0);
        assertThat(fixed.object()).isEqualTo(documents.get(0).object());
        assertThat(fixed.object().at("/spec/containers/0/volumeMounts").size()).isEqualTo(3);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"quoted.yaml", "mixed.yaml", "catalog-known.yaml"})
    void fixingTwiceChangesNothingMore(String manifest) {
        String once = FixedManifests.render(read(manifest).documents(), plans());
        List<Document> first = reread(once).documents();
        List<Document> second = reread(FixedManifests.render(first, plans())).documents();
        assertThat(second).extracting(Document::object).containsExactlyElementsOf(first.stream().map(Document::object).toList());
    }

    @Test
    void jsonStaysJsonWithExactNumbers() {
        String json = "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"p\", \"annotations\": {\"a\": \"3.10\"}},"
                + " \"spec\": {\"priority\": 0, \"containers\": [{\"name\": \"c\", \"image\": \"nginx\", \"resources\": {\"limits\": {\"cpu\": 1.50}}}]}}";
        List<Document> documents = new java.util.ArrayList<>();
        ManifestReader.parse("pod.json", json, documents, new java.util.ArrayList<>());
        String fixed = FixedManifests.render(documents, plans());
        assertThat(fixed).contains("\"a\" : \"3.10\"").contains("1.50").contains("\"readOnlyRootFilesystem\" : true");
    }
}

package dev.rofsguard.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rofsguard.Fixtures;
import dev.rofsguard.manifest.Document;
import dev.rofsguard.manifest.ManifestReader;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestReaderTest {

    private static ManifestReader.Result read(String resource) {
        return ManifestReader.read(List.of(Fixtures.path("manifests/" + resource).toString()), InputStream.nullInputStream());
    }

    @Test
    void multiDocumentYamlKeepsLinesOfDocumentsAndContainers() {
        ManifestReader.Result r = read("mixed.yaml");
        assertThat(r.errors()).isEmpty();
        assertThat(r.documents()).extracting(d -> d.object().path("kind").asText())
                .containsExactly("StatefulSet", "ConfigMap", "DaemonSet", "CronJob");
        assertThat(r.documents()).extracting(Document::line).containsExactly(1, 27, 35, 47);
        Document statefulSet = r.documents().get(0);
        assertThat(statefulSet.lineOf("/spec/template/spec/containers/1")).isEqualTo(19);
        Document cronJob = r.documents().get(3);
        assertThat(cronJob.lineOf("/spec/jobTemplate/spec/template/spec/containers/0")).isEqualTo(58);
    }

    @Test
    void aQuotedTrueStaysAString() {
        Document cronJob = read("mixed.yaml").documents().get(3);
        assertThat(cronJob.object().at("/spec/jobTemplate/spec/template/spec/containers/0/securityContext/readOnlyRootFilesystem")
                .isTextual()).isTrue();
    }

    @Test
    void aBrokenDocumentIsReportedWithItsLineAndTheOthersAreRead() {
        ManifestReader.Result r = read("broken.yaml");
        assertThat(r.documents()).extracting(d -> d.object().path("metadata").path("name").asText()).containsExactly("first", "third");
        assertThat(r.errors()).singleElement().satisfies(e -> {
            assertThat(e.line()).isEqualTo(14);
            assertThat(e.message()).contains("not valid YAML");
        });
    }

    @Test
    void jsonStdinAndDirectories() {
        ManifestReader.Result stdin = ManifestReader.read(List.of("-"),
                new ByteArrayInputStream(Fixtures.bytes("manifests/nginx-pod.json")));
        assertThat(stdin.documents()).singleElement().satisfies(d -> assertThat(d.source()).isEqualTo("-"));
        ManifestReader.Result dir = ManifestReader.read(List.of(Fixtures.path("manifests").toString()), InputStream.nullInputStream());
        assertThat(dir.documents().size()).isGreaterThanOrEqualTo(8);
        assertThat(dir.errors()).hasSize(1);
    }

    @Test
    void notAMappingAndDuplicateKeysAreErrors() {
        ManifestReader.Result r = ManifestReader.read(List.of("-"), new ByteArrayInputStream(
                "- just\n- a list\n---\na: 1\na: 2\n---\nkind: Pod\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(r.errors()).hasSize(2);
        assertThat(r.documents()).hasSize(1);
    }
}

package dev.rofsguard.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rofsguard.Fixtures;
import dev.rofsguard.manifest.Document;
import dev.rofsguard.manifest.ManifestReader;
import dev.rofsguard.manifest.ManifestError;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
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
        // broken.yaml's bad document, and one error per Helm template of helm-chart/ (not one per document)
        assertThat(dir.errors()).extracting(e -> Path.of(e.source()).getFileName().toString())
                .containsExactlyInAnyOrder("broken.yaml", "deployment.yaml", "service.yaml");
    }

    @Test
    void notAMappingAndDuplicateKeysAreErrors() {
        ManifestReader.Result r = ManifestReader.read(List.of("-"), new ByteArrayInputStream(
                "- just\n- a list\n---\na: 1\na: 2\n---\nkind: Pod\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(r.errors()).hasSize(2);
        assertThat(r.documents()).hasSize(1);
    }

    /**
     * Merge keys as kubectl (sigs.k8s.io/yaml) and Compose read them: explicit keys win, then the merged mappings in
     * order (Debian's docker-compose 1.29 resolves this file the same way). Real Compose files build services this way.
     */
    @Test
    void mergeKeysAreResolved() {
        String yaml = """
                x-a: &a
                  restart: always
                  image: nginx:1.27
                x-b: &b
                  image: redis:7
                  command: redis-server
                services:
                  over:
                    <<: *a
                    image: httpd:2.4
                  list:
                    <<: [*a, *b]
                  nested:
                    environment:
                      <<: {B: "2"}
                      C: "3"
                """;
        ManifestReader.Result r = ManifestReader.read(List.of("-"), new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
        assertThat(r.errors()).isEmpty();
        var services = r.documents().get(0).object().path("services");
        assertThat(services.at("/over/image").asText()).isEqualTo("httpd:2.4");
        assertThat(services.at("/over/restart").asText()).isEqualTo("always");
        assertThat(services.at("/list/image").asText()).isEqualTo("nginx:1.27");
        assertThat(services.at("/list/command").asText()).isEqualTo("redis-server");
        assertThat(services.at("/nested/environment/B").asText()).isEqualTo("2");
        assertThat(services.at("/nested/environment/C").asText()).isEqualTo("3");
        assertThat(services.at("/nested/environment").size()).isEqualTo(2);
        assertThat(services.path("over").has("<<")).isFalse();
        // An explicit key twice is still an error.
        ManifestReader.Result twice = ManifestReader.read(List.of("-"), new ByteArrayInputStream(
                "x: &x {a: 1}\ny:\n  <<: *x\n  b: 1\n  b: 2\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(twice.errors()).singleElement().satisfies(e -> assertThat(e.message()).contains("b"));
    }

    @Test
    void aHelmChartSaysRenderItFirstOncePerTemplate() {
        ManifestReader.Result r = read("helm-chart");
        assertThat(r.errors()).hasSize(2).allSatisfy(e -> assertThat(e.message())
                .contains("Helm (Go) template").contains("render with helm template first"));
        assertThat(r.errors()).extracting(ManifestError::line).containsExactlyInAnyOrder(4, 4);
        // the templates folder alone is known as a chart's by the Chart.yaml beside it
        assertThat(read("helm-chart/templates").errors()).hasSize(2);
    }

    @Test
    void excludeGlobsSkipFiles() {
        ManifestReader.Result r = ManifestReader.read(List.of(Fixtures.path("manifests").toString()), InputStream.nullInputStream(),
                List.of("helm-chart/**", "broken.yaml"));
        assertThat(r.errors()).isEmpty();
        assertThat(r.documents()).noneMatch(d -> d.source().contains("helm-chart") || d.source().endsWith("broken.yaml"));
        assertThat(r.documents()).anyMatch(d -> d.source().endsWith("mixed.yaml"));
    }

    @Test
    void binaryNotUtf8AndMissingFilesAreNamed(@TempDir Path dir) throws Exception {
        Path binary = dir.resolve("image.yaml");
        Files.write(binary, new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 13});
        Path latin1 = dir.resolve("latin1.yaml");
        Files.write(latin1, "kind: Pod\nmetadata: {name: caf\u00e9}\n".getBytes(StandardCharsets.ISO_8859_1));
        ManifestReader.Result r = ManifestReader.read(List.of(binary.toString(), latin1.toString(), dir.resolve("nope.yaml").toString()),
                InputStream.nullInputStream());
        assertThat(r.errors()).extracting(ManifestError::message).containsExactly(
                "a binary file (NUL byte at offset 4), not a YAML or JSON manifest",
                "not UTF-8 text (a binary file, or another encoding): kubectl reads UTF-8 only",
                "no such file or directory");
    }

    @Test
    void listItemsKnowWhereTheyStandInTheirDocument() {
        ManifestReader.Result r = read("mixed.yaml");
        assertThat(r.documents()).extracting(Document::base).containsExactly("", "", "/items/0", "/items/1");
        assertThat(r.documents().get(2).segment()).isSameAs(r.documents().get(3).segment());
        assertThat(r.documents().get(2).segment().index()).isEqualTo(2);
    }
}

package dev.rofsguard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rofsguard.Fixtures;
import dev.rofsguard.policy.Mode;
import dev.rofsguard.policy.PolicyConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PolicyLoaderTest {

    @Test
    void defaultsExemptSystemNamespacesAndTheWebhooksOwn() throws ConfigException {
        PolicyConfig config = PolicyLoader.load(null, "rofs-guard").policy();
        assertThat(config.defaultMode()).isEqualTo(Mode.ENFORCE);
        assertThat(config.exemptNamespaces()).containsExactlyInAnyOrder("kube-system", "kube-public", "kube-node-lease", "rofs-guard");
        assertThat(config.annotationNamespaces()).isEmpty();
        assertThat(config.ephemeralContainersMode()).isEqualTo(Mode.ENFORCE);
    }

    @Test
    void userMapsMergeAndListsReplace(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("policy.yaml");
        Files.writeString(file, "mode: warn\nexemptions:\n  namespaces: [legacy]\n");
        PolicyConfig config = PolicyLoader.load(file, null).policy();
        assertThat(config.defaultMode()).isEqualTo(Mode.WARN);
        assertThat(config.exemptNamespaces()).containsExactly("legacy");
        assertThat(config.annotationNamespaces()).isEmpty(); // untouched sibling keeps its default
    }

    @Test
    void anEmptyFileIsRefusedAndAnEmptyMappingMeansTheDefaults(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("empty.yaml");
        for (String empty : new String[] {"", "# only a comment\n", "---\n"}) {
            Files.writeString(file, empty);
            assertThatThrownBy(() -> PolicyLoader.load(file, null)).isInstanceOf(ConfigException.class).hasMessageContaining("is empty");
        }
        Files.writeString(file, "{}\n");
        assertThat(PolicyLoader.load(file, null).policy().exemptNamespaces()).contains("kube-system");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            broken-unknown-field.yaml  | unknown field 'namespace' at exemptions.namespace
            broken-mode.yaml           | mode 'strict' is not one of enforce, warn, audit
            broken-image-pattern.yaml  | exemptions.images[1]
            broken-yaml.yaml           | broken-yaml.yaml
            broken-namespace.yaml      | exemptions.namespaces[0] 'Kube_System' is not a valid name
            """)
    void aBadFileIsRefusedNamingTheField(String file, String message) {
        Path path = Fixtures.path("policy/" + file);
        assertThatThrownBy(() -> PolicyLoader.load(path, null)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(path.toString()).hasMessageContaining(message);
    }

    @Test
    void aMissingFileIsRefused(@TempDir Path dir) {
        assertThatThrownBy(() -> PolicyLoader.load(dir.resolve("nope.yaml"), null))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cannot read");
    }

    @Test
    void extraKindsNeedAPodSpecPath(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("kinds.yaml");
        Files.writeString(file, "workloadKinds:\n  - {group: example.com, kind: Thing, podSpecPath: spec.template}\n");
        assertThatThrownBy(() -> PolicyLoader.load(file, null)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("workloadKinds[0].podSpecPath");
        Files.writeString(file, "workloadKinds:\n  - {group: example.com, kind: Thing, podSpecPath: spec.runner.podTemplate.spec}\n");
        assertThat(PolicyLoader.load(file, null).policy().workloadKinds().find("example.com", "Thing")).get()
                .satisfies(k -> assertThat(k.podMetadataPath()).containsExactly("spec", "runner", "podTemplate", "metadata"));
    }
}

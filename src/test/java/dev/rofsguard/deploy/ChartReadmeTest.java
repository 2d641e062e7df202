package dev.rofsguard.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The chart README's values table is the one generated from the schema; its build command builds the chart's image. */
class ChartReadmeTest {

    static final Path CHART = ChartRender.CHART;
    static final Path README = CHART.resolve("README.md");

    @Test
    void theValuesTableIsGeneratedFromTheSchema() throws Exception {
        String generated = ValuesTable.generate(CHART);
        if (Boolean.getBoolean("chart.readme.update")) {
            Files.writeString(README, ValuesTable.replace(Files.readString(README), generated));
        }
        assertThat(ValuesTable.current(Files.readString(README)))
                .as("charts/rofs-guard/README.md values table is out of date; regenerate it with "
                        + "./mvnw -B -q -o test -Dtest=ChartReadmeTest -Dchart.readme.update=true")
                .isEqualTo(generated);
        assertThat(generated).contains("| `mode` | enforce \\| warn \\| audit | `\"warn\"` |");
    }

    @Test
    void theGeneratorSeesAChangedDescription() throws Exception {
        Path copy = Files.createTempDirectory("chart-readme-");
        Files.copy(CHART.resolve("values.yaml"), copy.resolve("values.yaml"));
        Files.writeString(copy.resolve("values.schema.json"), Files.readString(CHART.resolve("values.schema.json"))
                .replace("\"Webhook replicas;", "\"Replicas of the webhook;"));
        assertThat(ValuesTable.generate(copy)).isNotEqualTo(ValuesTable.generate(CHART)).contains("Replicas of the webhook;");
    }

    @Test
    void theDocumentedBuildCommandTagsTheImageTheChartDeploys() throws Exception {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        JsonNode chart = yaml.readTree(CHART.resolve("Chart.yaml").toFile());
        JsonNode values = yaml.readTree(CHART.resolve("values.yaml").toFile());
        String image = values.path("image").path("repository").asText() + ":" + chart.path("appVersion").asText();
        assertThat(Files.readString(README)).contains("build -t " + image + " .");
    }

    @Test
    void theReadmeSaysWarnIsTheDefaultAndTheKubernetesFloor() throws Exception {
        String readme = Files.readString(README);
        JsonNode chart = new ObjectMapper(new YAMLFactory()).readTree(CHART.resolve("Chart.yaml").toFile());
        assertThat(readme).contains("**`mode: warn`.**").contains("`kubeVersion: " + chart.path("kubeVersion").asText() + "`");
        assertThat(Files.readString(CHART.resolve("values.yaml"))).contains("\nmode: warn\n");
    }
}

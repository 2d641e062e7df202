package dev.rofsguard.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rofsguard.manifest.Document;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * deploy/ and the chart ship the same matchConditions on every webhook (the e2e tests prove them on a real API server
 * against deploy/; this keeps the chart from drifting).
 */
class WebhookMatchConditionsTest {

    static Map<String, JsonNode> conditionsByWebhook(List<Document> docs) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (Document d : docs) {
            if (d.object().path("kind").asText().endsWith("WebhookConfiguration")) {
                d.object().path("webhooks").forEach(w -> out.put(w.path("name").asText(), w.path("matchConditions")));
            }
        }
        return out;
    }

    @Test
    void chartAndDeployAgree() {
        Map<String, JsonNode> deploy = conditionsByWebhook(DeployManifestsTest.documents());
        Map<String, JsonNode> chart = conditionsByWebhook(HelmChartTest.render(Map.of()));
        assertThat(chart.keySet()).containsExactlyInAnyOrderElementsOf(deploy.keySet());
        deploy.forEach((name, conditions) -> {
            assertThat(conditions.size()).as(name).isGreaterThan(0);
            assertThat(chart.get(name)).as(name).isEqualTo(conditions);
        });
        assertThat(deploy.get("mutate.rofs-guard.dev")).extracting(c -> c.path("name").asText())
                .containsExactly("not-a-mirror-pod-from-its-node");
        assertThat(deploy.get("enforce.validate.rofs-guard.dev")).extracting(c -> c.path("name").asText())
                .containsExactly("pod-template-changed", "not-a-mirror-pod-from-its-node");
    }
}

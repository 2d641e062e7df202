package dev.rofsguard.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import dev.rofsguard.Fixtures;
import dev.rofsguard.admission.AdmissionReviews;
import dev.rofsguard.engine.Origin;
import dev.rofsguard.manifest.ManifestReader;
import dev.rofsguard.policy.Mode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code -o policyreport} against the PolicyReport CRDs Kyverno ships (fetched once per machine by
 * src/test/tools/policyreport-crds.sh): valid by their openAPIV3Schema, and holding no field the schema does not
 * declare (an API server would prune it silently, and Policy Reporter would never see it).
 */
class PolicyReportTest {

    private static final Instant NOW = Instant.parse("2026-11-23T20:00:00Z");
    private static final Map<String, JsonNode> SCHEMAS = new HashMap<>();

    @BeforeAll
    static void crds() throws Exception {
        Process p = new ProcessBuilder("bash", "src/test/tools/policyreport-crds.sh").redirectErrorStream(false).start();
        String dir = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(err).isZero();
        for (String kind : List.of("PolicyReport", "ClusterPolicyReport")) {
            Path crd = Path.of(dir, "wgpolicyk8s.io_" + kind.toLowerCase() + "s.yaml");
            JsonNode json = AdmissionReviews.mapper().valueToTree(new Yaml().load(Files.readString(crd)));
            assertThat(json.at("/spec/names/kind").asText()).isEqualTo(kind);
            for (JsonNode version : json.at("/spec/versions")) {
                if (version.path("name").asText().equals("v1alpha2")) {
                    SCHEMAS.put(kind, version.at("/schema/openAPIV3Schema"));
                }
            }
            assertThat(SCHEMAS).containsKey(kind);
        }
    }

    private static AuditReport audit(String defaultNamespace, String... resources) {
        List<String> paths = new ArrayList<>();
        for (String r : resources) {
            paths.add(Fixtures.path("manifests/" + r).toString());
        }
        ManifestReader.Result read = ManifestReader.read(paths, InputStream.nullInputStream());
        return AuditReport.of(Fixtures.engine("-"), read.documents(), read.errors(), Mode.ENFORCE, Origin.manifest(true), defaultNamespace);
    }

    private static void assertValid(ObjectNode report) {
        String kind = report.path("kind").asText();
        JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(SCHEMAS.get(kind));
        assertThat(schema.validate(report)).as(report.toPrettyString()).isEmpty();
        List<String> pruned = new ArrayList<>();
        undeclared(report, SCHEMAS.get(kind), "", pruned);
        assertThat(pruned).as("fields the API server would prune").isEmpty();
    }

    /** Fields of {@code node} that {@code schema} does not declare: what structural pruning removes. */
    private static void undeclared(JsonNode node, JsonNode schema, String path, List<String> out) {
        if (schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
            return;
        }
        if (node.isObject()) {
            if (!schema.has("properties") && !schema.has("additionalProperties")) {
                return; // metadata: ObjectMeta, validated by the API server itself
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                JsonNode sub = schema.path("properties").path(field.getKey());
                if (sub.isMissingNode()) {
                    sub = schema.path("additionalProperties");
                }
                if (sub.isMissingNode() || sub.isBoolean()) {
                    out.add(path + "/" + field.getKey());
                } else {
                    undeclared(field.getValue(), sub, path + "/" + field.getKey(), out);
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                undeclared(node.get(i), schema.path("items"), path + "/" + i, out);
            }
        }
    }

    @Test
    void onePolicyReportPerNamespaceValidAgainstKyvernosCrd() {
        AuditReport report = audit("default", "mixed.yaml", "catalog-known.yaml", "windows.yaml", "legacy-apis.yaml");
        List<ObjectNode> reports = PolicyReportRender.render(report, NOW);
        assertThat(reports).extracting(r -> r.at("/metadata/namespace").asText())
                .containsExactlyElementsOf(report.objects().stream().map(AuditedObject::namespace).distinct().sorted().toList());
        reports.forEach(PolicyReportTest::assertValid);
        for (ObjectNode r : reports) {
            assertThat(r.path("apiVersion").asText()).isEqualTo("wgpolicyk8s.io/v1alpha2");
            assertThat(r.path("kind").asText()).isEqualTo("PolicyReport");
            for (String result : List.of("pass", "fail", "warn", "error", "skip")) {
                long n = 0;
                for (JsonNode res : r.path("results")) {
                    n += res.path("result").asText().equals(result) ? 1 : 0;
                }
                assertThat(r.at("/summary/" + result).asLong()).as(result).isEqualTo(n);
            }
        }
        JsonNode shop = reports.stream().filter(r -> r.at("/metadata/namespace").asText().equals("shop")).findFirst().orElseThrow();
        JsonNode report0 = resultFor(shop, "CronJob", "report");
        assertThat(report0.path("result").asText()).isEqualTo("fail");
        assertThat(report0.path("source").asText()).isEqualTo("rofs-guard");
        assertThat(report0.path("message").asText()).contains("containers \"report\"");
        assertThat(report0.at("/timestamp/seconds").asLong()).isEqualTo(NOW.getEpochSecond());
        JsonNode web = resultFor(shop, "Deployment", "web");
        assertThat(web.path("result").asText()).isEqualTo("pass");
        assertThat(web.at("/properties/outcome").asText()).isEqualTo("passes-after-admission");
        assertThat(web.at("/resources/0/apiVersion").asText()).isEqualTo("apps/v1");
    }

    @Test
    void objectsWithoutANamespaceGoToAClusterPolicyReport() {
        String pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - {name: c, image: ghcr.io/acme/x:1}\n";
        ManifestReader.Result read = ManifestReader.read(List.of("-"), new ByteArrayInputStream(pod.getBytes(StandardCharsets.UTF_8)));
        AuditReport report = AuditReport.of(Fixtures.engine("-"), read.documents(), read.errors(), Mode.ENFORCE, Origin.manifest(true), "");
        List<ObjectNode> reports = PolicyReportRender.render(report, NOW);
        assertThat(reports).singleElement().satisfies(r -> {
            assertThat(r.path("kind").asText()).isEqualTo("ClusterPolicyReport");
            assertThat(r.at("/metadata/namespace").isMissingNode()).isTrue();
            assertValid(r);
        });
    }

    @Test
    void theYamlStreamTheCliWritesReadsBackIntoTheSameReports() throws IOException {
        AuditReport report = audit("default", "mixed.yaml");
        List<ObjectNode> reports = PolicyReportRender.render(report, NOW);
        StringBuilder stream = new StringBuilder();
        for (ObjectNode r : reports) {
            stream.append("---\n").append(new Yaml().dump(AdmissionReviews.mapper().convertValue(r, Object.class)));
        }
        ManifestReader.Result back = ManifestReader.read(List.of("-"), new ByteArrayInputStream(stream.toString().getBytes(StandardCharsets.UTF_8)));
        assertThat(back.errors()).isEmpty();
        // compared as JSON text: the reader types YAML integers as longs, the renderer wrote ints
        assertThat(back.documents()).extracting(d -> d.object().toString())
                .containsExactlyElementsOf(reports.stream().map(r -> AdmissionReviews.mapper().convertValue(r, JsonNode.class).toString()).toList());
    }

    private static JsonNode resultFor(JsonNode report, String kind, String name) {
        for (JsonNode r : report.path("results")) {
            if (r.at("/resources/0/kind").asText().equals(kind) && r.at("/resources/0/name").asText().equals(name)) {
                return r;
            }
        }
        throw new AssertionError("no result for " + kind + " " + name + " in " + report.toPrettyString());
    }
}

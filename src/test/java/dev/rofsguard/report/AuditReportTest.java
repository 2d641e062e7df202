package dev.rofsguard.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.rofsguard.Fixtures;
import dev.rofsguard.admission.AdmissionReviews;
import dev.rofsguard.manifest.ManifestReader;
import dev.rofsguard.engine.Origin;
import dev.rofsguard.policy.Mode;
import dev.rofsguard.policy.Rules;
import dev.rofsguard.policy.Outcome;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class AuditReportTest {

    private static AuditReport audit(String resource, Mode mode) {
        ManifestReader.Result read = ManifestReader.read(List.of(Fixtures.path("manifests/" + resource).toString()),
                InputStream.nullInputStream());
        return AuditReport.of(Fixtures.engine("-"), read.documents(), read.errors(), mode, Origin.manifest(true), "default");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            # manifest      | objects | fail | pass | skip | not workloads | input errors | findings (container@line)
            good.yaml       | 1       | 0    | 1    | 0    | 1             | 0            | -
            bad.yaml        | 1       | 1    | 0    | 0    | 0             | 0            | app@11,setup@8
            mixed.yaml      | 3       | 2    | 1    | 0    | 1             | 0            | exporter@19,report@58
            broken.yaml     | 2       | 1    | 1    | 0    | 0             | 1            | c@22
            windows.yaml    | 1       | 0    | 0    | 1    | 0             | 0            | -
            nginx-pod.json  | 1       | 0    | 1    | 0    | 0             | 0            | -
            """)
    void findingsCarryFileLinesAndContainers(String manifest, int objects, int fail, int pass, int skip, int notWorkloads,
                                             int errors, String findings) {
        AuditReport r = audit(manifest, Mode.ENFORCE);
        assertThat(r.objects()).hasSize(objects);
        assertThat(r.count(Outcome.FAIL)).isEqualTo(fail);
        assertThat(r.count(Outcome.PASS)).isEqualTo(pass);
        assertThat(r.count(Outcome.SKIP)).isEqualTo(skip);
        assertThat(r.notWorkloads()).isEqualTo(notWorkloads);
        assertThat(r.errors()).hasSize(errors);
        List<String> expected = "-".equals(findings) ? List.of() : Arrays.asList(findings.split(","));
        assertThat(r.findings()).extracting(f -> f.container() + "@" + f.containerLine()).containsExactlyElementsOf(expected);
        r.findings().forEach(f -> {
            assertThat(f.source()).endsWith(manifest);
            assertThat(f.fix()).contains("readOnlyRootFilesystem: true");
            assertThat(f.fieldPath()).endsWith(".securityContext.readOnlyRootFilesystem");
        });
    }

    @Test
    void aCatalogKnownImageGetsTheVolumesInItsFix() {
        String yaml = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n"
                + "      containers:\n        - {name: web, image: nginx, securityContext: {readOnlyRootFilesystem: false}}\n";
        ManifestReader.Result read = ManifestReader.read(List.of("-"), new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
        AuditReport r = AuditReport.of(Fixtures.engine("-"), read.documents(), read.errors(), Mode.ENFORCE, Origin.manifest(true), "default");
        assertThat(r.findings()).singleElement().satisfies(f -> {
            assertThat(f.catalogEntry()).isEqualTo("nginx");
            assertThat(f.scratchPaths()).containsExactly("/var/cache/nginx", "/var/run");
            assertThat(f.fix()).contains("mountPath: /var/cache/nginx").contains("emptyDir: {medium: Memory, sizeLimit: 8Mi}");
        });
    }

    @Test
    void sarifIsValidAgainstTheSarif210Schema() throws Exception {
        AuditReport r = audit("broken.yaml", Mode.ENFORCE);
        JsonNode sarif = AdmissionReviews.mapper().readTree(AdmissionReviews.mapper()
                .writeValueAsBytes(SarifReport.render(r, "test")));
        JsonSchema schema;
        try (InputStream in = com.contrastsecurity.sarif.SarifSchema210.class.getResourceAsStream("/schema/sarif-schema-2.1.0.json")) {
            schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(in);
        }
        Set<ValidationMessage> problems = schema.validate(sarif);
        assertThat(problems).isEmpty();
        JsonNode result = sarif.at("/runs/0/results/0");
        assertThat(result.path("ruleId").asText()).isEqualTo(Rules.READ_ONLY_ROOT_FILESYSTEM.qualifiedId());
        assertThat(result.path("level").asText()).isEqualTo("error");
        assertThat(result.at("/locations/0/physicalLocation/region/startLine").asInt()).isEqualTo(22);
        assertThat(sarif.at("/runs/0/invocations/0/executionSuccessful").asBoolean()).isFalse();
        assertThat(sarif.at("/runs/0/invocations/0/toolExecutionNotifications/0/locations/0/physicalLocation/region/startLine").asInt())
                .isEqualTo(14);
    }

    @Test
    void junitParsesBackWithTheCounts() throws Exception {
        String xml = JunitReport.render(audit("mixed.yaml", Mode.ENFORCE));
        org.w3c.dom.Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        Element suite = (Element) doc.getElementsByTagName("testsuite").item(0);
        assertThat(suite.getAttribute("tests")).isEqualTo("3");
        assertThat(suite.getAttribute("failures")).isEqualTo("2");
        NodeList failures = doc.getElementsByTagName("failure");
        assertThat(failures.getLength()).isEqualTo(2);
        assertThat(failures.item(0).getTextContent()).contains("containers \"exporter\"");
    }

    @Test
    void jsonReportHasSummaryFindingsAndErrors() {
        JsonNode json = JsonReport.render(audit("broken.yaml", Mode.WARN));
        assertThat(json.path("mode").asText()).isEqualTo("warn");
        assertThat(json.at("/summary/fail").asInt()).isEqualTo(1);
        assertThat(json.at("/summary/inputErrors").asInt()).isEqualTo(1);
        assertThat(json.at("/findings/0/containerLine").asInt()).isEqualTo(22);
        assertThat(json.at("/errors/0/line").asInt()).isEqualTo(14);
    }
}

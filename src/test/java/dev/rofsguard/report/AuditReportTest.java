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
        NodeList cases = doc.getElementsByTagName("testcase");
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < cases.getLength(); i++) {
            Element c = (Element) cases.item(i);
            ids.add(c.getAttribute("classname") + " " + c.getAttribute("name"));
            assertThat(c.getAttribute("name")).doesNotContainPattern("\\d");
        }
        // a stable id per object (kind/namespace/name) and the rule: the same after lines move
        assertThat(ids).containsExactly("StatefulSet/shop/db read-only-root-filesystem",
                "DaemonSet/monitoring/agent read-only-root-filesystem", "CronJob/shop/report read-only-root-filesystem");
    }

    @Test
    void passesAfterAdmissionIsItsOwnOutcomeInEveryFormat() throws Exception {
        AuditReport r = audit("catalog-known.yaml", Mode.ENFORCE);
        assertThat(r.count(ReportOutcome.PASSES_AFTER_ADMISSION)).isEqualTo(2);
        assertThat(r.count(ReportOutcome.PASS)).isZero();
        assertThat(TextReport.render(r, Paint.PLAIN)).startsWith("2 workload objects (mode enforce): 0 failed, 0 errors, "
                + "2 pass after admission, 0 passed, 0 skipped");
        JsonNode json = JsonReport.render(r);
        assertThat(json.at("/summary/passesAfterAdmission").asInt()).isEqualTo(2);
        assertThat(json.at("/summary/pass").asInt()).isZero();
        assertThat(json.at("/objects/0/outcome").asText()).isEqualTo("passes-after-admission");
        assertThat(json.at("/objects/0/mutationCountedOn/0/catalogEntry").asText()).isEqualTo("nginx");
        JsonNode sarif = AdmissionReviews.mapper().valueToTree(SarifReport.render(r, "test"));
        assertThat(sarif.at("/runs/0/properties/outcomes/passes-after-admission").asInt()).isEqualTo(2);
        assertThat(sarif.at("/runs/0/properties/passesAfterAdmission/0").asText()).isEqualTo("Deployment/shop/web");
        assertThat(JunitReport.render(r)).contains("<property name=\"outcome\" value=\"passes-after-admission\"")
                .contains("<property name=\"objects.passes-after-admission\" value=\"2\"");
        assertThat(PolicyReportRender.render(r, java.time.Instant.now()).get(0).at("/results/0/properties/outcome").asText())
                .isEqualTo("passes-after-admission");
        // where rofs-guard's mutating webhook does not run, the same objects fail
        ManifestReader.Result read = ManifestReader.read(List.of(Fixtures.path("manifests/catalog-known.yaml").toString()),
                InputStream.nullInputStream());
        AuditReport without = AuditReport.of(Fixtures.engine("-"), read.documents(), read.errors(), Mode.ENFORCE, Origin.manifest(false), "default");
        assertThat(without.count(ReportOutcome.FAIL)).isEqualTo(2);
    }

    @Test
    void removedWorkloadApiVersionsAreJudgedWithANote() {
        AuditReport r = audit("legacy-apis.yaml", Mode.ENFORCE);
        assertThat(r.notWorkloads()).isZero();
        assertThat(r.objects()).extracting(o -> o.kind() + " " + o.outcome().label())
                .containsExactly("Deployment fail", "DaemonSet pass", "StatefulSet fail");
        assertThat(r.objects()).allSatisfy(o -> assertThat(o.notes()).singleElement().asString()
                .contains("removed in Kubernetes 1.16").contains("apps/v1"));
        assertThat(TextReport.render(r, Paint.PLAIN)).contains("note: extensions/v1beta1 Deployment was removed in Kubernetes 1.16");
    }

    @Test
    void textSummaryComesFirstAndEachFixOnce() {
        String text = TextReport.render(audit("mixed.yaml", Mode.ENFORCE), Paint.PLAIN);
        assertThat(text.indexOf("by namespace:")).isLessThan(text.indexOf("containers \"exporter\""));
        assertThat(text.indexOf("by image:")).isLessThan(text.indexOf("containers \"exporter\""));
        assertThat(text).contains("    shop: 2 failed\n").contains("    monitoring: 1 passed\n")
                .contains("    quay.io/prometheuscommunity/postgres-exporter:v0.15.0: 1 findings\n");
        // two findings share one fix: it is printed once, and both findings name it
        assertThat(text.split("readOnlyRootFilesystem: true\n", -1)).hasSize(2);
        assertThat(text.split(" fix 1 at ", -1)).hasSize(3);
    }

    @Test
    void asciiWhenTheTerminalIsNotUtf8AndColourThroughPicocli() {
        AuditReport r = audit("mixed.yaml", Mode.ENFORCE);
        String ascii = TextReport.render(r, new Paint(false, false));
        assertThat(ascii.chars()).allMatch(c -> c < 0x80);
        assertThat(TextReport.render(r, new Paint(false, true))).contains("\u2014");
        String coloured = TextReport.render(r, new Paint(true, true));
        assertThat(coloured).contains(picocli.CommandLine.Help.Ansi.Style.fg_red.on());
        assertThat(TextReport.render(r, Paint.PLAIN)).doesNotContain("\u001b[");
    }

    @Test
    void quietIsOneLinePerFinding() {
        String quiet = TextReport.quiet(audit("mixed.yaml", Mode.ENFORCE), Paint.PLAIN);
        assertThat(quiet.lines()).hasSize(2).allSatisfy(l -> assertThat(l).contains("mixed.yaml:").contains("[read-only-root-filesystem]"));
    }

    @Test
    void sarifUrisAreRelativeToTheRootAndEscaped(@org.junit.jupiter.api.io.TempDir java.nio.file.Path root) throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createDirectories(root.resolve("k8s apps/caf\u00e9"));
        java.nio.file.Path file = java.nio.file.Files.copy(Fixtures.path("manifests/bad.yaml"), dir.resolve("web #1.yaml"));
        ManifestReader.Result read = ManifestReader.read(List.of(file.toString()), InputStream.nullInputStream());
        AuditReport r = AuditReport.of(Fixtures.engine("-"), read.documents(), read.errors(), Mode.ENFORCE, Origin.manifest(true), "default");
        JsonNode sarif = AdmissionReviews.mapper().valueToTree(SarifReport.render(r, "test", root));
        assertThat(schema().validate(sarif)).isEmpty();
        JsonNode artifact = sarif.at("/runs/0/results/0/locations/0/physicalLocation/artifactLocation");
        assertThat(artifact.path("uri").asText()).isEqualTo("k8s%20apps/caf%C3%A9/web%20%231.yaml");
        assertThat(artifact.path("uriBaseId").asText()).isEqualTo("%SRCROOT%");
        assertThat(java.net.URI.create(sarif.at("/runs/0/originalUriBaseIds/%SRCROOT%/uri").asText())
                .resolve(artifact.path("uri").asText())).isEqualTo(file.toUri());
        assertThat(sarif.at("/runs/0/results/0/locations/0/logicalLocations/0/fullyQualifiedName").asText()).isEqualTo("Pod/shop/legacy");
        JsonNode rule = sarif.at("/runs/0/tool/driver/rules/0");
        assertThat(rule.path("helpUri").asText()).startsWith("https://");
        assertThat(rule.at("/help/text").asText()).isNotBlank();
        assertThat(rule.at("/help/markdown").asText()).contains("```yaml");
        assertThat(Double.parseDouble(rule.at("/properties/security-severity").asText())).isBetween(4.0, 6.9);
        assertThat(rule.at("/properties/tags").toString()).contains("\"security\"");
    }

    @Test
    void sarifFromStdinAndClusterHasNoFileButAnObject() throws Exception {
        ManifestReader.Result read = ManifestReader.read(List.of("-"), new ByteArrayInputStream(Fixtures.bytes("manifests/bad.yaml")));
        AuditReport r = AuditReport.of(Fixtures.engine("-"), read.documents(), read.errors(), Mode.ENFORCE, Origin.manifest(true), "default");
        JsonNode sarif = AdmissionReviews.mapper().valueToTree(SarifReport.render(r, "test"));
        assertThat(schema().validate(sarif)).isEmpty();
        assertThat(sarif.at("/runs/0/results/0/locations/0/physicalLocation").isMissingNode()).isTrue();
        assertThat(sarif.at("/runs/0/results/0/locations/0/logicalLocations/0/kind").asText()).isEqualTo("object");
    }

    private static JsonSchema schema() throws java.io.IOException {
        try (InputStream in = com.contrastsecurity.sarif.SarifSchema210.class.getResourceAsStream("/schema/sarif-schema-2.1.0.json")) {
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(in);
        }
    }

    @Test
    void jsonReportHasSummaryFindingsAndErrors() {
        JsonNode json = JsonReport.render(audit("broken.yaml", Mode.WARN));
        assertThat(json.path("schemaVersion").asInt()).isEqualTo(JsonReport.SCHEMA_VERSION).isEqualTo(1);
        assertThat(json.fieldNames().next()).isEqualTo("schemaVersion");
        assertThat(json.path("mode").asText()).isEqualTo("warn");
        assertThat(json.at("/summary/fail").asInt()).isEqualTo(1);
        assertThat(json.at("/summary/inputErrors").asInt()).isEqualTo(1);
        assertThat(json.at("/findings/0/containerLine").asInt()).isEqualTo(22);
        assertThat(json.at("/errors/0/line").asInt()).isEqualTo(14);
    }
}

package dev.rofsguard.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rofsguard.Fixtures;
import dev.rofsguard.admission.AdmissionReviews;
import dev.rofsguard.admission.ValidatingAdmission;
import dev.rofsguard.manifest.ManifestReader;
import dev.rofsguard.policy.ContainerRule;
import dev.rofsguard.policy.Mode;
import dev.rofsguard.policy.Rules;
import dev.rofsguard.report.AuditReport;
import dev.rofsguard.report.JsonReport;
import dev.rofsguard.report.JunitReport;
import dev.rofsguard.report.SarifReport;
import dev.rofsguard.report.TextReport;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A second rule, defined here in the test tree only: every door shows it (webhook answer, text, JSON, SARIF, JUnit)
 * without a change to any of them, and the catalog cannot fix it.
 */
class SecondRuleTest {

    /** A toy rule: containers must set allowPrivilegeEscalation: false. */
    static final ContainerRule NO_ESCALATION = new ContainerRule("no-privilege-escalation",
            "securityContext.allowPrivilegeEscalation", "that may escalate privileges",
            "set securityContext.allowPrivilegeEscalation: false",
            "securityContext:\n  allowPrivilegeEscalation: false",
            "Set allowPrivilegeEscalation: false.", "6.0", false,
            c -> {
                JsonNode v = c.node().path("securityContext").get("allowPrivilegeEscalation");
                return v != null && v.isBoolean() && !v.booleanValue() ? Optional.empty()
                        : Optional.of("does not set securityContext.allowPrivilegeEscalation: false");
            });

    private final Judge judge = new Judge(Fixtures.engine("-").config()
            .withRules(List.of(Rules.READ_ONLY_ROOT_FILESYSTEM, NO_ESCALATION)));

    @Test
    void theWebhookDeniesAWorkloadTheCatalogWouldOtherwiseFix() throws Exception {
        // Passes with the shipped rule alone: the mutation makes its nginx container read-only.
        JsonNode alone = AdmissionReviews.mapper().readTree(new ValidatingAdmission(() -> Fixtures.engine("-"))
                .validate(Fixtures.review("deployment-nginx-create.json"), Mode.ENFORCE, true).body());
        assertThat(alone.at("/response/allowed").asBoolean()).isTrue();

        JsonNode answer = AdmissionReviews.mapper().readTree(new ValidatingAdmission(() -> judge)
                .validate(Fixtures.review("deployment-nginx-create.json"), Mode.ENFORCE, true).body());
        assertThat(answer.at("/response/allowed").asBoolean()).isFalse();
        String message = answer.at("/response/status/message").asText();
        assertThat(message).contains("that may escalate privileges").contains("allowPrivilegeEscalation: false")
                .doesNotContain("without a read-only root filesystem");

        JsonNode warned = AdmissionReviews.mapper().readTree(new ValidatingAdmission(() -> judge)
                .validate(Fixtures.review("deployment-nginx-create.json"), Mode.WARN, true).body());
        assertThat(warned.at("/response/warnings").toString()).contains("set securityContext.allowPrivilegeEscalation: false");
    }

    @Test
    void anUpdateIsJudgedPerRuleAndContainer() throws Exception {
        // The old pod already broke both rules; removing a finalizer introduces nothing.
        JsonNode answer = AdmissionReviews.mapper().readTree(new ValidatingAdmission(() -> judge)
                .validate(Fixtures.review("pod-update-finalizer.json"), Mode.ENFORCE, true).body());
        assertThat(answer.at("/response/allowed").asBoolean()).isTrue();
        assertThat(answer.at("/response/warnings").toString()).contains("2 finding(s) already present");
    }

    @Test
    void everyReportFormatNamesTheRule() throws Exception {
        String yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
                + "    - {name: app, image: example.com/app, securityContext: {readOnlyRootFilesystem: true}}\n";
        ManifestReader.Result read = ManifestReader.read(List.of("-"), new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
        AuditReport report = AuditReport.of(judge, read.documents(), read.errors(), Mode.ENFORCE, Origin.manifest(true), "default");

        assertThat(report.findings()).singleElement().satisfies(f -> {
            assertThat(f.rule()).isEqualTo(NO_ESCALATION);
            assertThat(f.containerLine()).isEqualTo(6);
        });
        assertThat(TextReport.render(report, false)).contains("no-privilege-escalation").contains("allowPrivilegeEscalation: false");
        assertThat(JsonReport.render(report).at("/findings/0/rule").asText()).isEqualTo("no-privilege-escalation");
        JsonNode sarif = AdmissionReviews.mapper().valueToTree(SarifReport.render(report, "test"));
        assertThat(sarif.at("/runs/0/results/0/ruleId").asText()).isEqualTo("rofs-guard/no-privilege-escalation");
        assertThat(sarif.at("/runs/0/tool/driver/rules").toString()).contains("rofs-guard/no-privilege-escalation")
                .contains("\"security-severity\":\"6.0\"");
        assertThat(JunitReport.render(report)).contains("type=\"rofs-guard/no-privilege-escalation\"");
    }
}

package dev.rofsguard.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import dev.rofsguard.Fixtures;
import dev.rofsguard.admission.AdmissionReviews;
import dev.rofsguard.config.PolicyLoader;
import dev.rofsguard.manifest.Document;
import dev.rofsguard.manifest.ManifestReader;
import dev.rofsguard.policy.Mode;
import dev.rofsguard.policy.Outcome;
import dev.rofsguard.report.AuditReport;
import dev.rofsguard.report.Auditor;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The chart with real Helm (helm-java bundles it): lint, render with every option, read back typed, audit ourselves. */
public class HelmChartTest {

    static final Path CHART = Path.of("charts/rofs-guard");

    public static List<Document> render(Map<String, Object> values) {
        TemplateCommand t = new Helm(CHART).template().withName("rofs-guard").withNamespace("rofs-guard");
        values.forEach(t::set);
        String yaml = t.call();
        ManifestReader.Result r = ManifestReader.read(List.of("-"), new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
        assertThat(r.errors()).as(yaml).isEmpty();
        return r.documents();
    }

    @Test
    void lintIsClean() {
        LintResult result = new Helm(CHART).lint().strict().call();
        assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
    }

    /** The chart's value sets the tests render; the e2e tests dry-run each of them on a real API server. */
    public static final List<String> VARIANTS = List.of("defaults", "warn-default", "existing-secret", "built-in", "everything-switched");

    public static Map<String, Object> variant(String variant) {
        return switch (variant) {
            case "defaults" -> Map.of();
            case "warn-default" -> Map.of("mode", "warn", "mutation.enabled", "false");
            case "built-in" -> Map.of("certificates.mode", "builtIn");
            case "existing-secret" -> Map.of("certificates.mode", "existingSecret", "certificates.existingSecret.name", "my-tls",
                    "certificates.existingSecret.caBundle", "LS0tLS1CRUdJTg==");
            case "everything-switched" -> Map.ofEntries(Map.entry("mode", "audit"), Map.entry("replicas", "3"),
                    Map.entry("webhook.timeoutSeconds", "3"), Map.entry("webhook.failurePolicy.enforce", "Ignore"),
                    Map.entry("mutation.debugScratchVolume.enabled", "true"), Map.entry("metrics.serviceMonitor.enabled", "true"),
                    Map.entry("policy.exemptions.images[0]", "registry.k8s.io/pause"),
                    Map.entry("policy.exemptions.annotationNamespaces[0]", "legacy"),
                    Map.entry("catalog.entries[0].name", "my-app"), Map.entry("catalog.entries[0].reason", "cache"),
                    Map.entry("catalog.entries[0].images[0]", "ghcr.io/acme/my-app"),
                    Map.entry("catalog.entries[0].paths[0].path", "/app/cache"));
            default -> throw new IllegalArgumentException("no chart variant " + variant);
        };
    }

    static List<String> variants() {
        return VARIANTS;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void everyRenderedObjectIsFullyTyped(String variant) throws Exception {
        Map<String, Object> values = variant(variant);
        List<Document> docs = render(values);
        List<String> kinds = new ArrayList<>();
        for (Document d : docs) {
            HasMetadata o = ManifestChecks.typed(AdmissionReviews.mapper().writeValueAsString(d.object()));
            kinds.add(o.getKind());
            String apiVersion = d.object().path("apiVersion").asText();
            if (apiVersion.startsWith("cert-manager.io/") || apiVersion.startsWith("monitoring.coreos.com/")) {
                assertThat(o).isInstanceOf(GenericKubernetesResource.class);
                continue;
            }
            assertThat(o).as(o.getKind()).isNotInstanceOf(GenericKubernetesResource.class);
            ManifestChecks.assertFullyTyped(o, variant + " " + o.getKind() + " " + o.getMetadata().getName());
            if (o instanceof ConfigMap cm) {
                // The policy the chart renders is one rofs-guard accepts.
                Path policy = Files.createTempFile("policy", ".yaml");
                Files.writeString(policy, cm.getData().get("policy.yaml"));
                assertThat(PolicyLoader.load(policy, "rofs-guard").catalog()).isNotNull();
            }
            if (o instanceof ValidatingWebhookConfiguration v) {
                assertThat(v.getWebhooks()).hasSize(6);
            }
        }
        assertThat(kinds).contains("Deployment", "Service", "ValidatingWebhookConfiguration", "PodDisruptionBudget");
        if (variant.equals("everything-switched")) {
            assertThat(kinds).contains("ServiceMonitor", "MutatingWebhookConfiguration");
        }
        if (variant.equals("warn-default")) {
            assertThat(kinds).doesNotContain("MutatingWebhookConfiguration");
        }
        if (variant.equals("existing-secret")) {
            assertThat(kinds).doesNotContain("Certificate", "Issuer");
        }
        if (variant.equals("built-in")) {
            assertThat(kinds).doesNotContain("Certificate", "Issuer").contains("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding");
        } else {
            assertThat(kinds).doesNotContain("Role", "ClusterRole");
        }
    }

    @Test
    void theRenderedDeploymentPassesOurOwnAudit() {
        List<Document> docs = render(Map.of());
        AuditReport report = new Auditor(Fixtures.engine("mutation-off.yaml"), "rofs-guard").audit(docs, List.of(), Mode.ENFORCE);
        assertThat(report.objects()).singleElement().satisfies(o -> assertThat(o.verdict().outcome()).isEqualTo(Outcome.PASS));
    }

    @Test
    void badValuesFailWithAClearMessage() {
        assertThatThrownBy(() -> render(Map.of("mode", "strict"))).hasMessageContaining("mode");
        assertThatThrownBy(() -> render(Map.of("certificates.mode", "existingSecret"))).hasMessageContaining("caBundle");
        assertThatThrownBy(() -> render(Map.of("replicaz", "2"))).hasMessageContaining("replicaz");
    }
}

package dev.rofsguard.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rofsguard.manifest.Document;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/'s engine components, rendered by {@code kubectl kustomize} in an overlay as a user writes it: the same
 * commands and roles as the chart's hooks for that engine (which ChartOnApiServerE2E runs on a real API server), and
 * for native nothing of the webhook.
 */
class DeployEngineComponentsTest {

    @Test
    void hybridAddsTheChartsApplyJobAndKeepsTheWebhook(@TempDir Path dir) throws Exception {
        List<HasMetadata> objects = render(dir, "hybrid");
        assertThat(kinds(objects)).contains("Deployment", "Service", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "Job");
        sameAsTheChart(objects, "hybrid");
    }

    @Test
    void nativeInstallsNothingOfTheWebhook(@TempDir Path dir) throws Exception {
        List<HasMetadata> objects = render(dir, "native");
        assertThat(kinds(objects)).contains("ConfigMap", "Job", "ClusterRole", "ClusterRoleBinding")
                .doesNotContain("Deployment", "Service", "PodDisruptionBudget", "ValidatingWebhookConfiguration",
                        "MutatingWebhookConfiguration", "Certificate", "Issuer", "ResourceQuota");
        sameAsTheChart(objects, "native");
    }

    private static void sameAsTheChart(List<HasMetadata> objects, String engine) throws Exception {
        List<HasMetadata> chart = HelmChartTest.typed(ChartRender.render(Map.of("engine", engine)));
        Job job = HelmChartTest.ofKind(objects, Job.class).get(0);
        Job hook = HelmChartTest.ofKind(chart, Job.class).stream().filter(j -> j.getMetadata().getName().endsWith("-native-apply"))
                .findFirst().orElseThrow();
        assertThat(job.getMetadata().getNamespace()).isEqualTo("rofs-guard");
        var container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getArgs()).isEqualTo(hook.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs());
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(job.getSpec().getTemplate().getSpec().getVolumes()).anyMatch(v -> v.getConfigMap() != null
                && v.getConfigMap().getName().equals("rofs-guard-policy"));
        ClusterRole role = HelmChartTest.ofKind(objects, ClusterRole.class).get(0);
        ClusterRole hookRole = HelmChartTest.ofKind(chart, ClusterRole.class).stream()
                .filter(r -> r.getMetadata().getName().endsWith("-native-apply")).findFirst().orElseThrow();
        assertThat(role.getRules()).isEqualTo(hookRole.getRules());
    }

    private static List<String> kinds(List<HasMetadata> objects) {
        return objects.stream().map(HasMetadata::getKind).toList();
    }

    private static List<HasMetadata> render(Path dir, String component) throws Exception {
        Path overlay = dir.resolve("overlay");
        Files.createDirectories(overlay);
        Path deploy = Path.of("deploy").toAbsolutePath();
        Files.writeString(overlay.resolve("kustomization.yaml"), "resources: [" + overlay.relativize(deploy) + "]\ncomponents: ["
                + overlay.relativize(deploy.resolve("components").resolve(component)) + "]\n");
        String kubectl = System.getenv("KUBECTL") != null ? System.getenv("KUBECTL") : "kubectl";
        Process p = new ProcessBuilder(kubectl, "kustomize", "--load-restrictor=LoadRestrictionsNone", overlay.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        List<Document> docs = ChartRender.read(out);
        return HelmChartTest.typed(docs);
    }
}

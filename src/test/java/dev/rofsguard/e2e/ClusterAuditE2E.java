package dev.rofsguard.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rofsguard.admission.AdmissionReviews;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** `audit --cluster` against the real API server: paged lists, owners folding their ReplicaSets and Pods. */
@ExtendWith(KubeApiServer.class)
class ClusterAuditE2E {

    @Test
    void auditsLiveObjectsPageByPageAndFoldsOwnedOnes() throws Exception {
        KubernetesClient k = KubeApiServer.client();
        // audit mode (failurePolicy Ignore) so that the non-compliant objects below are admitted whatever else runs
        k.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("audit-me")
                .withLabels(Map.of("rofs-guard.dev/mode", "audit")).endMetadata().build()).createOr(r -> r.update());
        Deployment d = k.apps().deployments().inNamespace("audit-me").resource(AdmissionE2E.deployment("api", "ghcr.io/acme/api:1")).create();
        ReplicaSet rs = k.apps().replicaSets().inNamespace("audit-me").resource(new ReplicaSetBuilder()
                .withNewMetadata().withName("api-abc").withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1")
                        .withKind("Deployment").withName("api").withUid(d.getMetadata().getUid()).withController(true).build()).endMetadata()
                .withNewSpec().withSelector(d.getSpec().getSelector()).withTemplate(d.getSpec().getTemplate()).endSpec().build()).create();
        Pod owned = AdmissionE2E.pod("api-abc-x1", "ghcr.io/acme/api:1", null);
        owned.getMetadata().setOwnerReferences(List.of(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("ReplicaSet")
                .withName("api-abc").withUid(rs.getMetadata().getUid()).withController(true).build()));
        k.pods().inNamespace("audit-me").resource(owned).create();
        // A CronJob, listed as batch/v1 (served since 1.21; the v1beta1 fallback is for older servers)
        k.batch().v1().cronjobs().inNamespace("audit-me").resource(new io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder()
                .withNewMetadata().withName("nightly").endMetadata().withNewSpec().withSchedule("0 3 * * *").withNewJobTemplate()
                .withNewSpec().withNewTemplate().withNewSpec().withRestartPolicy("Never").addNewContainer().withName("job")
                .withImage("ghcr.io/acme/job:1").endContainer().endSpec().endTemplate().endSpec().endJobTemplate().endSpec().build()).create();
        for (int i = 0; i < 4; i++) {
            k.pods().inNamespace("audit-me").resource(AdmissionE2E.pod("bare-" + i, "ghcr.io/acme/api:1", i % 2 == 0)).create();
        }

        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                KubeApiServer.ROOT.resolve("target/quarkus-app/quarkus-run.jar").toString(),
                "audit", "--cluster", "-n", "audit-me", "--page-size", "2", "-o", "json"));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("KUBECONFIG", KubeApiServer.RUN.resolve("kubeconfig").toString());
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(err).isEqualTo(1);
        JsonNode report = AdmissionReviews.mapper().readTree(out);
        List<String> objects = new ArrayList<>();
        report.path("objects").forEach(o -> objects.add(o.path("kind").asText() + "/" + o.path("name").asText() + "=" + o.path("outcome").asText()));
        assertThat(objects).containsExactlyInAnyOrder("Deployment/api=fail", "CronJob/nightly=fail", "Pod/bare-0=pass", "Pod/bare-1=fail",
                "Pod/bare-2=pass", "Pod/bare-3=fail");
        assertThat(report.at("/findings/0/source").asText()).isEqualTo("cluster");
        assertThat(report.at("/summary/foldedUnderOwners").asInt()).isEqualTo(2); // the ReplicaSet and its Pod
    }
}

package dev.rofsguard.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The shipped webhook configurations' matchConditions, on the API server that evaluates them: the calls they leave
 * out never reach rofs-guard (its own count of answered reviews stays put), and everything that could let a
 * non-compliant pod in is still sent and judged.
 */
@ExtendWith(KubeApiServer.class)
class MatchConditionsE2E {

    static final String NS = "conditions";
    static ShippedWebhooks webhooks;
    static KubernetesClient k;

    @BeforeAll
    static void start() throws Exception {
        k = KubeApiServer.client();
        PodFeaturesE2E.namespace(k, NS, Map.of("rofs-guard.dev/mode", "enforce"));
        webhooks = ShippedWebhooks.start(k);
    }

    @AfterAll
    static void stop() throws Exception {
        if (webhooks != null) {
            webhooks.close();
        }
    }

    /** Runs the change and returns how many admission reviews rofs-guard answered for it. */
    static int reviewsFor(Runnable change) throws Exception {
        double before = webhooks.reviews();
        change.run();
        // The webhook counts a review when it has answered; give the metric a moment to follow the response.
        double after = webhooks.reviews();
        for (int i = 0; i < 20 && after == before; i++) {
            Thread.sleep(50);
            after = webhooks.reviews();
        }
        Thread.sleep(200);
        return (int) Math.round(webhooks.reviews() - before);
    }

    @Test
    void anUpdateThatLeavesThePodTemplateAloneIsNotSent() throws Exception {
        assertThat(reviewsFor(() -> k.apps().deployments().inNamespace(NS).resource(AdmissionE2E.deployment("web", "nginx:1.27")).create()))
                .as("CREATE is sent").isEqualTo(1);
        assertThat(reviewsFor(() -> k.apps().deployments().inNamespace(NS).withName("web").edit(d -> {
            d.getSpec().setReplicas(3); // through the main resource, as kubectl apply and the deployment controller do
            d.getMetadata().setLabels(Map.of("tier", "front"));
            return d;
        }))).as("replicas and labels: not sent").isZero();
        assertThat(k.apps().deployments().inNamespace(NS).withName("web").get().getSpec().getReplicas()).isEqualTo(3);
        assertThat(reviewsFor(() -> k.apps().deployments().inNamespace(NS).withName("web").edit(d -> {
            d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("nginx:1.28");
            return d;
        }))).as("a template change is sent").isEqualTo(1);
        assertThatThrownBy(() -> k.apps().deployments().inNamespace(NS).withName("web").edit(d -> {
            d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("ghcr.io/acme/api:1");
            return d;
        })).isInstanceOf(KubernetesClientException.class).hasMessageContaining("rofs-guard (enforce): Deployment conditions/web");
    }

    @Test
    void aCronJobIsSentOnlyWhenItsPodTemplateChanges() throws Exception {
        CronJob job = new CronJobBuilder().withNewMetadata().withName("nightly").endMetadata().withNewSpec().withSchedule("0 3 * * *")
                .withNewJobTemplate().withNewSpec().withNewTemplate().withNewSpec().withRestartPolicy("Never")
                .addNewContainer().withName("job").withImage("ghcr.io/acme/job:1").withNewSecurityContext().withReadOnlyRootFilesystem(true)
                .endSecurityContext().endContainer().endSpec().endTemplate().endSpec().endJobTemplate().endSpec().build();
        assertThat(reviewsFor(() -> k.batch().v1().cronjobs().inNamespace(NS).resource(job).create())).isEqualTo(1);
        assertThat(reviewsFor(() -> k.batch().v1().cronjobs().inNamespace(NS).withName("nightly").edit(c -> {
            c.getSpec().setSchedule("0 4 * * *");
            c.getSpec().setSuspend(true);
            return c;
        }))).as("schedule, suspend: not sent").isZero();
        assertThatThrownBy(() -> k.batch().v1().cronjobs().inNamespace(NS).withName("nightly").edit(c -> {
            c.getSpec().getJobTemplate().getSpec().getTemplate().getSpec().getContainers().get(0).getSecurityContext()
                    .setReadOnlyRootFilesystem(false);
            return c;
        })).isInstanceOf(KubernetesClientException.class).hasMessageContaining("CronJob conditions/nightly");
    }

    @Test
    void aPodsMetadataUpdateIsNotSentButAContainerChangeIs() throws Exception {
        assertThat(reviewsFor(() -> k.pods().inNamespace(NS).resource(AdmissionE2E.pod("p", "ghcr.io/acme/api:1", true)).create()))
                .as("CREATE: mutate + validate").isEqualTo(2);
        assertThat(reviewsFor(() -> k.pods().inNamespace(NS).withName("p").edit(p -> {
            p.getMetadata().setLabels(Map.of("touched", "yes"));
            p.getMetadata().setFinalizers(java.util.List.of("example.com/hold"));
            return p;
        }))).as("labels, finalizers: not sent").isZero();
        assertThat(reviewsFor(() -> k.pods().inNamespace(NS).withName("p").edit(p -> {
            p.getSpec().getContainers().get(0).setImage("ghcr.io/acme/api:2"); // a pod's image may change in place
            return p;
        }))).as("a container change is sent").isEqualTo(1);
        k.pods().inNamespace(NS).withName("p").edit(p -> {
            p.getMetadata().setFinalizers(java.util.List.of());
            return p;
        });
    }

    /**
     * A mirror pod (a static pod's copy in the API) created by its own kubelet is not sent: it would run whatever
     * rofs-guard said. The same pod from anyone else is sent and refused: the annotation alone exempts nothing.
     */
    @Test
    void aMirrorPodFromItsNodeIsNotSentButTheSamePodFromAUserIsJudged() throws Exception {
        var node = k.nodes().resource(new NodeBuilder().withNewMetadata().withName(KubeApiServer.NODE_NAME).endMetadata().build())
                .createOr(r -> r.update());
        try (KubernetesClient kubelet = KubeApiServer.nodeClient()) {
            Pod mirror = mirrorPod("static-web-" + KubeApiServer.NODE_NAME, node.getMetadata().getUid());
            int reviews = reviewsFor(() -> kubelet.pods().inNamespace(NS).resource(mirror).create());
            assertThat(reviews).as("neither mutate nor validate is called").isZero();
            Pod stored = k.pods().inNamespace(NS).withName(mirror.getMetadata().getName()).get();
            assertThat(stored.getMetadata().getAnnotations()).containsKey("kubernetes.io/config.mirror").doesNotContainKey("rofs-guard.dev/mutated");
            assertThat(stored.getSpec().getContainers().get(0).getSecurityContext()).isNull();
        }
        assertThatThrownBy(() -> k.pods().inNamespace(NS).resource(mirrorPod("fake-mirror", node.getMetadata().getUid())).create())
                .isInstanceOf(KubernetesClientException.class).hasMessageContaining("rofs-guard (enforce): Pod conditions/fake-mirror");
    }

    static Pod mirrorPod(String name, String nodeUid) {
        Pod p = AdmissionE2E.pod(name, "ghcr.io/acme/api:1", null);
        p.getMetadata().setAnnotations(Map.of("kubernetes.io/config.mirror", "0123456789abcdef", "kubernetes.io/config.source", "file"));
        p.getMetadata().setOwnerReferences(java.util.List.of(new OwnerReferenceBuilder().withApiVersion("v1").withKind("Node")
                .withName(KubeApiServer.NODE_NAME).withUid(nodeUid).withController(true).build()));
        p.getSpec().setNodeName(KubeApiServer.NODE_NAME);
        return p;
    }
}

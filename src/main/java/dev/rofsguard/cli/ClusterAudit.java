package dev.rofsguard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.rofsguard.admission.AdmissionReviews;
import dev.rofsguard.manifest.Document;
import dev.rofsguard.policy.Mode;
import dev.rofsguard.report.AuditReport;
import dev.rofsguard.report.AuditedObject;
import dev.rofsguard.report.Auditor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptions;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Audits what runs in a cluster: lists Pods and workloads page by page ({@code limit}/{@code continue}), keeps only
 * the verdicts (not the objects), and folds objects that a listed workload controls (a Deployment's ReplicaSets and
 * their Pods, a CronJob's Jobs) under their owner, which is where the fix belongs.
 */
final class ClusterAudit {

    /** Controllers whose pods (or ReplicaSets/Jobs) are judged through the controller's template. */
    private static final Set<String> CONTROLLERS = Set.of("ReplicaSet", "Deployment", "StatefulSet", "DaemonSet", "Job",
            "CronJob", "ReplicationController");

    private final KubernetesClient client;
    private final Auditor auditor;
    private final int pageSize;
    private final PrintWriter progress;
    private int listed;
    private int folded;

    ClusterAudit(KubernetesClient client, Auditor auditor, int pageSize, PrintWriter progress) {
        this.client = client;
        this.auditor = auditor;
        this.pageSize = pageSize;
        this.progress = progress;
    }

    AuditReport run(String namespace, String selector, Mode mode) {
        List<AuditedObject> objects = new ArrayList<>();
        List<Lister> listers = List.of(
                new Lister("Deployment", o -> page(client.apps().deployments(), namespace, selector, o)),
                new Lister("StatefulSet", o -> page(client.apps().statefulSets(), namespace, selector, o)),
                new Lister("DaemonSet", o -> page(client.apps().daemonSets(), namespace, selector, o)),
                new Lister("ReplicaSet", o -> page(client.apps().replicaSets(), namespace, selector, o)),
                new Lister("ReplicationController", o -> page(client.replicationControllers(), namespace, selector, o)),
                new Lister("CronJob", o -> cronJobs(namespace, selector, o)),
                new Lister("Job", o -> page(client.batch().v1().jobs(), namespace, selector, o)),
                new Lister("Pod", o -> page(client.pods(), namespace, selector, o)));
        for (Lister lister : listers) {
            String cont = null;
            do {
                KubernetesResourceList<? extends HasMetadata> page = lister.page.apply(
                        new ListOptionsBuilder().withLimit((long) pageSize).withContinue(cont).build());
                for (HasMetadata item : page.getItems()) {
                    listed++;
                    if (controlledByAWorkload(item)) {
                        folded++;
                        continue;
                    }
                    audit(item).ifPresent(objects::add);
                }
                cont = page.getMetadata() == null ? null : page.getMetadata().getContinue();
                if (progress != null) {
                    progress.printf("\r%d objects listed, %d audited, %d folded under their owners", listed, objects.size(), folded);
                    progress.flush();
                }
            } while (cont != null && !cont.isEmpty());
        }
        if (progress != null) {
            progress.println();
        }
        return new AuditReport(mode, objects, List.of(), 0, folded);
    }

    private boolean cronJobsV1beta1;

    /** CronJob is batch/v1 from Kubernetes 1.21; older API servers serve batch/v1beta1 only. */
    private KubernetesResourceList<? extends HasMetadata> cronJobs(String namespace, String selector, ListOptions o) {
        if (!cronJobsV1beta1) {
            try {
                return page(client.batch().v1().cronjobs(), namespace, selector, o);
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 404) {
                    throw e;
                }
                cronJobsV1beta1 = true;
            }
        }
        return page(client.batch().v1beta1().cronjobs(), namespace, selector, o);
    }

    private Optional<AuditedObject> audit(HasMetadata item) {
        JsonNode object = AdmissionReviews.mapper().valueToTree(item);
        String source = "cluster";
        Optional<AuditedObject> audited = auditor.audit(new Document(source, 0, object, Map.of()));
        // Keep only the verdict: a 100,000-pod cluster must not be held in memory.
        return audited.map(a -> new AuditedObject(new Document(source, 0, JsonNodeFactory.instance.objectNode(), Map.of()),
                a.kind(), a.namespace(), a.name(), a.verdict(), a.findings()));
    }

    private static boolean controlledByAWorkload(HasMetadata item) {
        for (OwnerReference o : item.getMetadata().getOwnerReferences()) {
            if (Boolean.TRUE.equals(o.getController()) && CONTROLLERS.contains(o.getKind())) {
                return true;
            }
        }
        return false;
    }

    private static <T extends HasMetadata, L extends KubernetesResourceList<T>> L page(
            MixedOperation<T, L, ?> op, String namespace, String selector, ListOptions options) {
        FilterWatchListDeletable<T, L, ?> scoped = namespace == null ? op.inAnyNamespace() : op.inNamespace(namespace);
        if (selector != null) {
            scoped = scoped.withLabelSelector(selector);
        }
        return scoped.list(options);
    }

    private record Lister(String kind, Function<ListOptions, KubernetesResourceList<? extends HasMetadata>> page) {
    }
}

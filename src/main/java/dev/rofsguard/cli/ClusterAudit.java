package dev.rofsguard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.rofsguard.admission.AdmissionReviews;
import dev.rofsguard.engine.Judge;
import dev.rofsguard.engine.Origin;
import dev.rofsguard.manifest.Document;
import dev.rofsguard.podspec.WorkloadKind;
import dev.rofsguard.policy.Mode;
import dev.rofsguard.report.AuditReport;
import dev.rofsguard.report.AuditedObject;
import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscovery;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Audits what runs in a cluster: lists every kind of the one workload-kind table (built-in and configured, through
 * the dynamic client and API discovery) page by page ({@code limit}/{@code continue}), keeps only the verdicts (not
 * the objects), and folds objects that a listed workload controls (a Deployment's ReplicaSets and their Pods, a
 * CronJob's Jobs) under their owner, which is where the fix belongs.
 */
final class ClusterAudit {

    private final KubernetesClient client;
    private final Judge judge;
    private final Origin origin;
    private final int pageSize;
    private final PrintWriter progress;
    private final PrintWriter err;
    private int listed;
    private int folded;

    ClusterAudit(KubernetesClient client, Judge judge, Origin origin, int pageSize, PrintWriter progress, PrintWriter err) {
        this.client = client;
        this.judge = judge;
        this.origin = origin;
        this.pageSize = pageSize;
        this.progress = progress;
        this.err = err;
    }

    AuditReport run(String namespace, String selector, Mode mode) {
        List<AuditedObject> objects = new ArrayList<>();
        List<WorkloadKind> kinds = new ArrayList<>(judge.config().policy().workloadKinds().all());
        // Owners first, Pods last: the report reads from the fix's home down.
        kinds.sort((a, b) -> Boolean.compare(a.isPod(), b.isPod()));
        for (WorkloadKind kind : kinds) {
            Optional<String> apiVersion = servedVersion(kind);
            if (apiVersion.isEmpty()) {
                err.println("audit: " + kind.kind() + (kind.group().isEmpty() ? "" : "." + kind.group())
                        + " is not served by this cluster; not listed");
                continue;
            }
            String cont = null;
            do {
                FilterWatchListDeletable<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> op =
                        namespace == null ? client.genericKubernetesResources(apiVersion.get(), kind.kind()).inAnyNamespace()
                                : client.genericKubernetesResources(apiVersion.get(), kind.kind()).inNamespace(namespace);
                if (selector != null) {
                    op = op.withLabelSelector(selector);
                }
                GenericKubernetesResourceList page = op.list(new ListOptionsBuilder().withLimit((long) pageSize).withContinue(cont).build());
                for (GenericKubernetesResource item : page.getItems()) {
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
        return new AuditReport(mode, objects, List.of(), 0, folded, judge.config().policy().rules());
    }

    /** The group version that serves this kind, preferred first (CronJob was batch/v1beta1 only before 1.21). */
    private Optional<String> servedVersion(WorkloadKind kind) {
        List<String> candidates = new ArrayList<>();
        if (kind.group().isEmpty()) {
            candidates.add("v1");
        } else {
            APIGroup group = client.getApiGroup(kind.group());
            if (group == null) {
                return Optional.empty();
            }
            if (group.getPreferredVersion() != null) {
                candidates.add(group.getPreferredVersion().getGroupVersion());
            }
            for (GroupVersionForDiscovery v : group.getVersions()) {
                if (!candidates.contains(v.getGroupVersion())) {
                    candidates.add(v.getGroupVersion());
                }
            }
        }
        for (String groupVersion : candidates) {
            APIResourceList resources = client.getApiResources(groupVersion);
            if (resources == null) {
                continue;
            }
            for (APIResource r : resources.getResources()) {
                if (r.getKind().equals(kind.kind()) && !r.getName().contains("/")) {
                    return Optional.of(groupVersion);
                }
            }
        }
        return Optional.empty();
    }

    private Optional<AuditedObject> audit(GenericKubernetesResource item) {
        JsonNode object = AdmissionReviews.mapper().valueToTree(item);
        String source = "cluster";
        Optional<AuditedObject> audited = AuditReport.audit(judge, new Document(source, 0, object, Map.of()), origin, "default");
        // Keep only the verdict and the reference (apiVersion, kind, name, namespace, uid: what a PolicyReport names):
        // a 100,000-pod cluster must not be held in memory.
        return audited.map(a -> {
            com.fasterxml.jackson.databind.node.ObjectNode ref = JsonNodeFactory.instance.objectNode();
            ref.put("apiVersion", object.path("apiVersion").asText("")).put("kind", object.path("kind").asText(""));
            com.fasterxml.jackson.databind.node.ObjectNode meta = ref.putObject("metadata");
            for (String field : List.of("name", "namespace", "uid")) {
                if (object.path("metadata").hasNonNull(field)) {
                    meta.put(field, object.path("metadata").path(field).asText());
                }
            }
            return new AuditedObject(new Document(source, 0, ref, Map.of()), a.kind(), a.namespace(), a.name(), a.verdict(),
                    a.plan(), a.passesAfterAdmission(), a.findings(), a.notes());
        });
    }

    private boolean controlledByAWorkload(GenericKubernetesResource item) {
        for (OwnerReference o : item.getMetadata().getOwnerReferences()) {
            String apiVersion = o.getApiVersion() == null ? "" : o.getApiVersion();
            int slash = apiVersion.indexOf('/');
            String group = slash < 0 ? "" : apiVersion.substring(0, slash);
            if (Boolean.TRUE.equals(o.getController())
                    && judge.config().policy().workloadKinds().find(group, o.getKind()).filter(k -> !k.isPod()).isPresent()) {
                return true;
            }
        }
        return false;
    }
}

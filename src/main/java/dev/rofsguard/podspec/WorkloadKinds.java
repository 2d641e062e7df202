package dev.rofsguard.podspec;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The one table of where the pod spec lives, by API group and kind: built-in kinds plus configured extras. */
public final class WorkloadKinds {

    public static final List<WorkloadKind> BUILT_IN = List.of(
            new WorkloadKind("", "Pod", List.of("spec"), List.of("metadata")),
            WorkloadKind.withPodTemplate("", "ReplicationController"),
            WorkloadKind.withPodTemplate("apps", "Deployment"),
            WorkloadKind.withPodTemplate("apps", "StatefulSet"),
            WorkloadKind.withPodTemplate("apps", "DaemonSet"),
            WorkloadKind.withPodTemplate("apps", "ReplicaSet"),
            WorkloadKind.withPodTemplate("batch", "Job"),
            new WorkloadKind("batch", "CronJob",
                    List.of("spec", "jobTemplate", "spec", "template", "spec"),
                    List.of("spec", "jobTemplate", "spec", "template", "metadata")));

    private final Map<String, WorkloadKind> byGroupKind = new LinkedHashMap<>();

    public WorkloadKinds(List<WorkloadKind> extra) {
        for (WorkloadKind k : BUILT_IN) {
            byGroupKind.put(key(k.group(), k.kind()), k);
        }
        for (WorkloadKind k : extra) {
            byGroupKind.put(key(k.group(), k.kind()), k);
        }
    }

    public static WorkloadKinds builtIn() {
        return new WorkloadKinds(List.of());
    }

    /** Every kind, built-in first, in table order. */
    public Collection<WorkloadKind> all() {
        return byGroupKind.values();
    }

    public Optional<WorkloadKind> find(String group, String kind) {
        return Optional.ofNullable(byGroupKind.get(key(group == null ? "" : group, kind)));
    }

    /** Looks a kind up by a manifest's {@code apiVersion} ({@code apps/v1}, {@code v1}) and {@code kind}. */
    public Optional<WorkloadKind> findByApiVersion(String apiVersion, String kind) {
        if (apiVersion == null || kind == null) {
            return Optional.empty();
        }
        int slash = apiVersion.indexOf('/');
        return find(slash < 0 ? "" : apiVersion.substring(0, slash), kind);
    }

    private static String key(String group, String kind) {
        return group + "/" + kind;
    }
}

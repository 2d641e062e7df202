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
    /** group → kind → entry: looked up on every admission, without building a key. */
    private final Map<String, Map<String, WorkloadKind>> byGroup = new java.util.HashMap<>();

    public WorkloadKinds(List<WorkloadKind> extra) {
        for (WorkloadKind k : BUILT_IN) {
            byGroupKind.put(key(k.group(), k.kind()), k);
        }
        for (WorkloadKind k : extra) {
            byGroupKind.put(key(k.group(), k.kind()), k);
        }
        byGroupKind.values().forEach(k -> byGroup.computeIfAbsent(k.group(), g -> new java.util.HashMap<>()).put(k.kind(), k));
    }

    public static WorkloadKinds builtIn() {
        return new WorkloadKinds(List.of());
    }

    /** Every kind, built-in first, in table order. */
    public Collection<WorkloadKind> all() {
        return byGroupKind.values();
    }

    public Optional<WorkloadKind> find(String group, String kind) {
        Map<String, WorkloadKind> kinds = byGroup.get(group == null ? "" : group);
        return kinds == null ? Optional.empty() : Optional.ofNullable(kinds.get(kind));
    }

    private static String key(String group, String kind) {
        return group + "/" + kind;
    }
}

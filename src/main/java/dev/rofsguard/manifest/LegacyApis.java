package dev.rofsguard.manifest;

import java.util.Map;
import java.util.Optional;

/**
 * Workload apiVersions the API server no longer serves (removed in Kubernetes 1.16) but old charts and manifests
 * still carry. Their pod template sits where the current version's does, so the audit judges them as the current
 * group's kind and says the API is gone. The one table of workload kinds stays keyed by current groups.
 */
public final class LegacyApis {

    /** Removed apiVersion → kinds it served that carry a pod template, each with the apiVersion that replaced it. */
    private static final Map<String, Map<String, String>> REMOVED = Map.of(
            "extensions/v1beta1", Map.of("Deployment", "apps/v1", "DaemonSet", "apps/v1", "ReplicaSet", "apps/v1"),
            "apps/v1beta1", Map.of("Deployment", "apps/v1", "StatefulSet", "apps/v1"),
            "apps/v1beta2", Map.of("Deployment", "apps/v1", "StatefulSet", "apps/v1", "DaemonSet", "apps/v1",
                    "ReplicaSet", "apps/v1"));

    private LegacyApis() {
    }

    /** The API group a manifest's object belongs to today: {@code apps} for an {@code extensions/v1beta1} Deployment. */
    public static String currentGroup(String apiVersion, String kind) {
        String current = replacement(apiVersion, kind).orElse(apiVersion == null ? "" : apiVersion);
        int slash = current.indexOf('/');
        return slash < 0 ? "" : current.substring(0, slash);
    }

    /** The apiVersion that replaced a removed one for this kind, if it was removed. */
    public static Optional<String> replacement(String apiVersion, String kind) {
        return Optional.ofNullable(REMOVED.getOrDefault(apiVersion, Map.of()).get(kind));
    }

    /** A note for the report, when the object uses a removed apiVersion. */
    public static Optional<String> note(String apiVersion, String kind) {
        return replacement(apiVersion, kind).map(r -> apiVersion + " " + kind + " was removed in Kubernetes 1.16 and "
                + "current API servers refuse it: judged as " + r + " (same pod template); migrate the manifest to " + r);
    }
}

package dev.rofsguard.policy;

import dev.rofsguard.image.ImagePattern;
import dev.rofsguard.mutation.Catalog;
import dev.rofsguard.mutation.MutationConfig;
import dev.rofsguard.podspec.WorkloadKinds;
import java.util.List;
import java.util.Set;

/**
 * The validated policy the engine runs with. Built by {@code config} from YAML; immutable.
 *
 * @param defaultMode                 mode of {@code /validate} without a mode in the path
 * @param exemptNamespaces            namespaces never evaluated
 * @param exemptImages                images never evaluated (normalised, registry-anchored patterns)
 * @param exemptContainers            container rules: {@code name} (any namespace) or {@code namespace/name}
 * @param annotationNamespaces        namespaces where {@code rofs-guard.dev/exempt} is honoured; {@code *} = all
 * @param ephemeralContainersMode     the strictest mode applied to ephemeral containers (WARN relaxes enforce)
 * @param workloadKinds               where the pod spec lives, built-in plus configured kinds
 * @param mutation                    mutation settings
 * @param catalog                     the known images
 */
public record PolicyConfig(Mode defaultMode, Set<String> exemptNamespaces, List<ImagePattern> exemptImages,
                           Set<String> exemptContainers, Set<String> annotationNamespaces,
                           Mode ephemeralContainersMode, WorkloadKinds workloadKinds, MutationConfig mutation,
                           Catalog catalog) {

    public PolicyConfig {
        exemptNamespaces = Set.copyOf(exemptNamespaces);
        exemptImages = List.copyOf(exemptImages);
        exemptContainers = Set.copyOf(exemptContainers);
        annotationNamespaces = Set.copyOf(annotationNamespaces);
    }

    public boolean annotationHonouredIn(String namespace) {
        return annotationNamespaces.contains("*") || annotationNamespaces.contains(namespace);
    }
}

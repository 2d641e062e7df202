package dev.rofsguard.policy;

import dev.rofsguard.image.ImagePattern;
import dev.rofsguard.image.ImageReference;
import dev.rofsguard.podspec.Annotations;
import dev.rofsguard.podspec.ContainerView;
import dev.rofsguard.podspec.PodSpecView;
import dev.rofsguard.podspec.WorkloadKinds;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The validated policy: what is judged, by which rules, and what is exempt. Built by {@code config} from YAML;
 * immutable. The exemption checks live here, once, for the judge and (through the judge) the mutation.
 *
 * @param defaultMode             mode of {@code /validate} without a mode in the path
 * @param exemptNamespaces        namespaces never evaluated
 * @param exemptImages            images never evaluated (normalised, registry-anchored patterns)
 * @param exemptContainers        container rules: {@code name} (any namespace) or {@code namespace/name}
 * @param annotationNamespaces    namespaces where {@code rofs-guard.dev/exempt} is honoured; {@code *} = all
 * @param ephemeralContainersMode the strictest mode applied to ephemeral containers (WARN relaxes enforce)
 * @param workloadKinds           where the pod spec lives, built-in plus configured kinds
 * @param rules                   the container rules in force
 */
public record PolicyConfig(Mode defaultMode, Set<String> exemptNamespaces, List<ImagePattern> exemptImages,
                           Set<String> exemptContainers, Set<String> annotationNamespaces,
                           Mode ephemeralContainersMode, WorkloadKinds workloadKinds, List<ContainerRule> rules) {

    public PolicyConfig {
        exemptNamespaces = Set.copyOf(exemptNamespaces);
        exemptImages = List.copyOf(exemptImages);
        exemptContainers = Set.copyOf(exemptContainers);
        annotationNamespaces = Set.copyOf(annotationNamespaces);
        rules = List.copyOf(rules);
    }

    /** The same policy with other rules (a test adds one; the doors do not change). */
    public PolicyConfig withRules(List<ContainerRule> other) {
        return new PolicyConfig(defaultMode, exemptNamespaces, exemptImages, exemptContainers, annotationNamespaces,
                ephemeralContainersMode, workloadKinds, other);
    }

    public boolean annotationHonouredIn(String namespace) {
        return annotationNamespaces.contains("*") || annotationNamespaces.contains(namespace);
    }

    public boolean namespaceExempt(String namespace) {
        return exemptNamespaces.contains(namespace);
    }

    /** The reason in {@code rofs-guard.dev/exempt}, present and non-empty (honoured or not: see {@link #annotationHonouredIn}). */
    public static Optional<String> exemptAnnotation(PodSpecView pod) {
        return pod.podAnnotation(Annotations.EXEMPT).map(String::trim).filter(r -> !r.isEmpty());
    }

    /** The exemption of one container by name or image, if any. */
    public Optional<Exemption> containerExemption(ContainerView c, String namespace) {
        if (exemptContainers.isEmpty() && exemptImages.isEmpty()) {
            return Optional.empty(); // the usual case, without building the qualified name
        }
        if (exemptContainers.contains(c.name())) {
            return Optional.of(new Exemption(Exemption.Kind.CONTAINER, c.name(), c.name()));
        }
        String qualified = namespace + "/" + c.name();
        if (exemptContainers.contains(qualified)) {
            return Optional.of(new Exemption(Exemption.Kind.CONTAINER, c.name(), qualified));
        }
        if (exemptImages.isEmpty()) {
            return Optional.empty();
        }
        Optional<ImageReference> ref = ImageReference.parse(c.image());
        for (ImagePattern p : exemptImages) {
            if (ref.isPresent() && p.matches(ref.get())) {
                return Optional.of(new Exemption(Exemption.Kind.IMAGE, c.name(), p.toString()));
            }
        }
        return Optional.empty();
    }

    /** Ephemeral containers may be relaxed; other kinds follow the request's mode. */
    public Mode modeFor(Violation v, Mode requestMode) {
        return v.containerKind() == dev.rofsguard.podspec.ContainerKind.EPHEMERAL_CONTAINER
                ? requestMode.atMost(ephemeralContainersMode) : requestMode;
    }
}

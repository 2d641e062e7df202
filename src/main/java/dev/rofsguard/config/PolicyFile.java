package dev.rofsguard.config;

import java.util.List;

/** The policy file as written (YAML); {@link PolicyLoader} validates it into a {@code PolicyConfig}. */
public record PolicyFile(String mode, Exemptions exemptions, EphemeralContainers ephemeralContainers,
                         List<Kind> workloadKinds, Mutation mutation, CatalogFile catalog) {

    public record Mutation(Boolean enabled, Boolean setReadOnlyRootFilesystem, Boolean ephemeralContainers,
                           DebugScratchVolume debugScratchVolume) {
    }

    /** Opt-in: a small emptyDir added at pod CREATE and mounted at /tmp in each new ephemeral container. */
    public record DebugScratchVolume(Boolean enabled, String sizeLimit) {
    }

    public record Exemptions(List<String> namespaces, List<String> images, List<String> containers,
                             AnnotationExemptions annotation) {
    }

    public record AnnotationExemptions(List<String> namespaces) {
    }

    public record EphemeralContainers(String mode) {
    }

    /** A kind whose pod spec sits at {@code podSpecPath} (default {@code spec.template.spec}). */
    public record Kind(String group, String kind, String podSpecPath) {
    }
}

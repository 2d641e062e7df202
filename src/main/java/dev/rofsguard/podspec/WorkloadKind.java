package dev.rofsguard.podspec;

import java.util.List;

/**
 * A kind that carries a pod spec, and where: the path of its pod spec and of the metadata that goes with it
 * (the pod's own metadata for a Pod, the template's metadata for a workload).
 */
public record WorkloadKind(String group, String kind, List<String> podSpecPath, List<String> podMetadataPath,
                           String podSpecFieldPath, String podSpecPointer) {

    /**
     * @param podSpecFieldPath always derived here (what is passed is ignored): the pod spec's location as a field
     *                         path, e.g. {@code spec.template.spec}; worked out once, every admission reads it
     * @param podSpecPointer   always derived here: the same as an RFC 6901 pointer, e.g. {@code /spec/template/spec}
     */
    public WorkloadKind {
        podSpecPath = List.copyOf(podSpecPath);
        podMetadataPath = List.copyOf(podMetadataPath);
        podSpecFieldPath = String.join(".", podSpecPath);
        podSpecPointer = "/" + String.join("/", podSpecPath);
    }

    public WorkloadKind(String group, String kind, List<String> podSpecPath, List<String> podMetadataPath) {
        this(group, kind, podSpecPath, podMetadataPath, null, null);
    }

    /** A kind whose {@code spec.template} is a pod template, as Deployment, OpenShift DeploymentConfig or Argo Rollout. */
    public static WorkloadKind withPodTemplate(String group, String kind) {
        return new WorkloadKind(group, kind, List.of("spec", "template", "spec"), List.of("spec", "template", "metadata"));
    }

    public boolean isPod() {
        return group.isEmpty() && kind.equals("Pod");
    }

    /** The node that holds the pod template (the pod spec's parent), e.g. {@code spec.template}; the whole object for a Pod. */
    public List<String> templatePath() {
        return podSpecPath.subList(0, podSpecPath.size() - 1);
    }
}

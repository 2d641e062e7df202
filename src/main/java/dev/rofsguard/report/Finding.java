package dev.rofsguard.report;

import dev.rofsguard.manifest.Document;
import dev.rofsguard.mutation.Plan;
import dev.rofsguard.policy.ContainerRule;
import dev.rofsguard.policy.Violation;
import java.util.List;

/**
 * One rule a container breaks, where it stands in the manifest and how to fix it.
 *
 * @param rule          the rule broken
 * @param line          line of the object's document
 * @param containerLine line of the container in the YAML (the document's line when unknown)
 * @param catalogEntry  the catalog entry that knows the image, or null
 * @param scratchPaths  the paths the mutation would back with emptyDir volumes (catalog known images)
 * @param fix           the YAML to add, including the volumes of the plan for this container
 */
public record Finding(ContainerRule rule, String source, int line, int containerLine, String kind, String namespace,
                      String name, String container, String containerKind, String image, String fieldPath, String problem,
                      String catalogEntry, List<String> scratchPaths, String fix) {

    /** The finding of one violation, with the fix rendered from the plan (never recomputed). */
    public static Finding of(Document d, String kind, String namespace, String name, Violation v, Plan plan) {
        Plan.ContainerChange change = plan.changes().get(v.container());
        List<Plan.Mount> mounts = change == null ? List.of() : change.mounts();
        return new Finding(v.rule(), d.source(), d.line(), d.lineOf(v.pointer()), kind, namespace, name, v.container(),
                v.containerKind().field(), v.image(), v.fieldPath(), v.hint() == null ? v.problem() : v.problem() + " (" + v.hint() + ")",
                change == null ? null : change.entry(),
                mounts.stream().map(Plan.Mount::path).toList(), fix(v.rule(), mounts));
    }

    public String object() {
        return kind + " " + (namespace.isEmpty() ? "" : namespace + "/") + name;
    }

    /** The rule's YAML for the container and, for catalog images, the mounts and volumes of the plan. */
    static String fix(ContainerRule rule, List<Plan.Mount> mounts) {
        StringBuilder s = new StringBuilder(rule.fix());
        if (mounts.isEmpty()) {
            return s.toString();
        }
        StringBuilder volumes = new StringBuilder("\n# and in the pod spec (rofs-guard's mutating webhook adds these to pods):\nvolumes:");
        s.append("\nvolumeMounts:");
        for (Plan.Mount m : mounts) {
            s.append("\n  - name: ").append(m.volume()).append("\n    mountPath: ").append(m.path());
            volumes.append("\n  - name: ").append(m.volume()).append("\n    emptyDir: {")
                    .append(m.medium() != null ? "medium: " + m.medium() + ", " : "")
                    .append("sizeLimit: ").append(m.sizeLimit()).append('}');
        }
        return s.append(volumes).toString();
    }
}

package dev.rofsguard.policy;

import dev.rofsguard.podspec.ContainerKind;

/**
 * One container that breaks one rule.
 *
 * @param rule          the rule it breaks
 * @param container     container name
 * @param containerKind which list it is in
 * @param index         its index in that list
 * @param image         image as written
 * @param fieldPath     path of the field in the object, e.g. {@code spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem}
 * @param pointer       RFC 6901 pointer of the container in the object, e.g. {@code /spec/template/spec/containers/0}
 * @param problem       what is wrong, completing {@code containers "x" …}
 * @param hint          why the catalog could not fix it, and what to do instead (a data path with nothing mounted),
 *                      or null
 */
public record Violation(ContainerRule rule, String container, ContainerKind containerKind, int index, String image,
                        String fieldPath, String pointer, String problem, String hint) {

    public Violation withHint(String text) {
        return new Violation(rule, container, containerKind, index, image, fieldPath, pointer, problem, text);
    }

    /** What to do: the hint where the catalog knows better, else the rule's short fix. */
    public String advice() {
        return hint != null ? hint : rule.shortFix();
    }

    /** One short, complete line: fits a Kubernetes warning (256 characters) for any sane container name. */
    public String summary() {
        return containerKind.field() + " \"" + container + "\" " + problem;
    }

    /** Identity of a finding across an UPDATE: the rule and the container (names are unique per pod). */
    public String key() {
        return rule.id() + "|" + containerKind.field() + "/" + container;
    }
}

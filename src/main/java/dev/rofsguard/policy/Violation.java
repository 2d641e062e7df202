package dev.rofsguard.policy;

import dev.rofsguard.podspec.ContainerKind;

/**
 * One container that lacks {@code securityContext.readOnlyRootFilesystem: true}.
 *
 * @param container     container name
 * @param containerKind which list it is in
 * @param image         image as written
 * @param fieldPath     path of the field in the object, e.g. {@code spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem}
 * @param problem       what is wrong with it
 */
public record Violation(String container, ContainerKind containerKind, String image, String fieldPath, Problem problem) {

    public enum Problem {
        NO_SECURITY_CONTEXT("has no securityContext"),
        NOT_SET("does not set securityContext.readOnlyRootFilesystem"),
        WRITABLE("sets securityContext.readOnlyRootFilesystem: false"),
        NOT_A_BOOLEAN("sets securityContext.readOnlyRootFilesystem to a non-boolean (write the boolean true, unquoted)");

        private final String text;

        Problem(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    /** The YAML to put in the container, indented as it would stand under the container's list item. */
    public static final String FIX = "securityContext:\n  readOnlyRootFilesystem: true";

    /** One short, complete line: fits a Kubernetes warning (256 characters) for any sane container name. */
    public String summary() {
        return containerKind.field() + " \"" + container + "\" " + problem.text();
    }
}

package dev.rofsguard.policy;

import java.util.Locale;

/**
 * An exemption that applied. Reported in every answer, never silent.
 *
 * @param kind      what exempted
 * @param container the container it applied to, or null for the whole object
 * @param detail    the matching namespace, pattern, container rule or annotation reason
 */
public record Exemption(Kind kind, String container, String detail) {

    public enum Kind {
        NAMESPACE, IMAGE, CONTAINER, ANNOTATION;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public String describe() {
        String what = switch (kind) {
            case NAMESPACE -> "namespace " + detail + " is exempt";
            case IMAGE -> "image matches exempt pattern " + detail;
            case CONTAINER -> "container exempt by rule " + detail;
            case ANNOTATION -> "exempt by annotation: " + detail;
        };
        return container == null ? what : "container \"" + container + "\": " + what;
    }
}

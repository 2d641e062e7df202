package dev.rofsguard.policy;

import java.util.Locale;
import java.util.Optional;

/** How a violation is answered. Rollouts go audit, then warn, then enforce. */
public enum Mode {
    /** Deny the request. */
    ENFORCE,
    /** Allow, with warnings that kubectl prints. */
    WARN,
    /** Allow, with audit annotations and a log line. */
    AUDIT;

    private final String label = name().toLowerCase(Locale.ROOT);

    private final String prefix = "rofs-guard (" + label + "): ";

    public String label() {
        return label;
    }

    /** How rofs-guard's warnings in this mode begin. */
    public String prefix() {
        return prefix;
    }

    public static Optional<Mode> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        for (Mode m : values()) {
            if (m.label().equals(text.trim().toLowerCase(Locale.ROOT))) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    /** The milder of two modes (audit is milder than warn, warn than enforce). */
    public Mode atMost(Mode other) {
        return ordinal() >= other.ordinal() ? this : other;
    }
}

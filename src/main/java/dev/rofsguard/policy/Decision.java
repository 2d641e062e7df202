package dev.rofsguard.policy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A verdict answered in a mode: what the admission response says. Pure; the door only serialises it.
 *
 * @param mode             the mode that decided
 * @param allowed          false only when enforce denies
 * @param message          the denial message (names the object and every offending container), or null
 * @param warnings         short, complete warnings (each at most {@link #MAX_WARNING} characters)
 * @param auditAnnotations keys without prefix; the API server prefixes them with the webhook's name
 * @param verdict          the verdict answered
 */
public record Decision(Mode mode, boolean allowed, String message, List<String> warnings,
                       Map<String, String> auditAnnotations, Verdict verdict) {

    /** The API server truncates each warning at 256 characters and all of them together at 4096. */
    public static final int MAX_WARNING = 256;
    public static final int MAX_WARNINGS_TOTAL = 4096;
    private static final int MAX_AUDIT_VALUE = 1024;

    public static Decision decide(Verdict verdict, Mode mode, PolicyConfig policy) {
        List<Violation> denying = new ArrayList<>();
        List<Violation> warned = new ArrayList<>();
        List<Violation> audited = new ArrayList<>();
        for (Violation v : verdict.violations()) {
            switch (policy.modeFor(v, mode)) {
                case ENFORCE -> denying.add(v);
                case WARN -> warned.add(v);
                case AUDIT -> audited.add(v);
            }
        }
        List<String> warnings = new ArrayList<>();
        String prefix = mode.prefix();
        for (Violation v : warned) {
            add(warnings, prefix + v.summary() + "; " + v.advice());
        }
        for (Exemption e : verdict.exemptions()) {
            if (e.kind() != Exemption.Kind.NAMESPACE) {
                add(warnings, prefix + e.describe());
            }
        }
        for (String note : verdict.notes()) {
            add(warnings, prefix + note);
        }

        boolean error = verdict.outcome() == Outcome.ERROR;
        boolean allowed = denying.isEmpty() && !(error && mode == Mode.ENFORCE);
        String message = null;
        if (!allowed) {
            message = error ? "rofs-guard (enforce) could not evaluate " + verdict.object().describe() + ": " + verdict.reason()
                    : denialMessage(verdict.object(), denying);
        } else if (error) {
            add(warnings, prefix + "could not evaluate: " + verdict.reason());
        }

        Map<String, String> audit = new LinkedHashMap<>();
        audit.put("mode", mode.label());
        audit.put("outcome", verdict.outcome().label());
        if (!verdict.violations().isEmpty()) {
            StringBuilder s = new StringBuilder();
            for (Violation v : verdict.violations()) {
                s.append(s.length() == 0 ? "" : "; ").append(v.containerKind().field()).append('/').append(v.container());
            }
            audit.put("violations", cap(s.toString()));
        }
        if (!verdict.exemptions().isEmpty()) {
            StringBuilder s = new StringBuilder();
            for (Exemption e : verdict.exemptions()) {
                s.append(s.length() == 0 ? "" : "; ").append(e.describe());
            }
            audit.put("exemptions", cap(s.toString()));
        }
        if (!audited.isEmpty() || !warned.isEmpty()) {
            audit.put("would-deny", "true");
        }
        // Unmodifiable views, not copies: built here and never changed, and the annotations keep their order.
        return new Decision(mode, allowed, message, Collections.unmodifiableList(warnings),
                Collections.unmodifiableMap(audit), verdict);
    }

    /** Names the object and every offending container, then shows the fix: one section per rule broken. */
    static String denialMessage(ObjectRef object, List<Violation> denying) {
        Map<ContainerRule, List<Violation>> byRule = new LinkedHashMap<>();
        denying.forEach(v -> byRule.computeIfAbsent(v.rule(), r -> new ArrayList<>()).add(v));
        StringBuilder s = new StringBuilder(512).append("rofs-guard (enforce): "); // sized for one container's message
        byRule.forEach((rule, violations) -> {
            s.append(s.length() == "rofs-guard (enforce): ".length() ? "" : "\n").append(object.describe()).append(" has ")
                    .append(violations.size()).append(violations.size() == 1 ? " container " : " containers ")
                    .append(rule.title()).append(':');
            for (Violation v : violations) {
                s.append("\n- ").append(v.summary()).append(" (").append(v.fieldPath()).append(')');
                if (v.hint() != null) {
                    s.append(": ").append(v.hint());
                }
            }
            s.append("\nFix: add to each container listed:\n  ").append(rule.fix().replace("\n", "\n  "));
        });
        return s.toString();
    }

    private static void add(List<String> warnings, String warning) {
        String w = warning.length() <= MAX_WARNING ? warning : warning.substring(0, MAX_WARNING - 1) + "…";
        int total = 0;
        for (String existing : warnings) {
            total += existing.length();
        }
        if (total + w.length() <= MAX_WARNINGS_TOTAL) {
            warnings.add(w);
        }
    }

    private static String cap(String s) {
        return s.length() <= MAX_AUDIT_VALUE ? s : s.substring(0, MAX_AUDIT_VALUE - 1) + "…";
    }
}

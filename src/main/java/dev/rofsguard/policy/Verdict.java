package dev.rofsguard.policy;

import java.util.List;

/**
 * The engine's answer for one object: a value, never an exception.
 *
 * @param outcome    pass, fail, skip or error
 * @param reason     why, in one line (always set for skip and error)
 * @param object     the object, as named in messages
 * @param violations one per offending container, in pod-spec order
 * @param exemptions every exemption that applied
 * @param notes      other things the user should hear (e.g. an annotation that was not honoured, pre-existing
 *                   violations an UPDATE did not introduce)
 */
public record Verdict(Outcome outcome, String reason, ObjectRef object, List<Violation> violations,
                      List<Exemption> exemptions, List<String> notes) {

    public Verdict {
        violations = List.copyOf(violations);
        exemptions = List.copyOf(exemptions);
        notes = List.copyOf(notes);
    }

    public static Verdict skip(String reason, ObjectRef object) {
        return new Verdict(Outcome.SKIP, reason, object, List.of(), List.of(), List.of());
    }

    public static Verdict error(String reason, ObjectRef object) {
        return new Verdict(Outcome.ERROR, reason, object, List.of(), List.of(), List.of());
    }

}

package dev.rofsguard.policy;

import dev.rofsguard.podspec.ContainerView;
import java.util.Optional;
import java.util.function.Function;

/**
 * A rule every container must follow, as a value: the judge runs each configured rule over each container, and every
 * door (messages, warnings, SARIF, JUnit, metrics) reads what it says from here. Adding a rule touches no door.
 *
 * @param id       stable identifier, e.g. {@code read-only-root-filesystem} (SARIF rule id {@code rofs-guard/<id>})
 * @param field    the securityContext field the rule reads, relative to the container
 * @param title    what a failing container lacks, completing "N containers …" (e.g. "without a read-only root filesystem")
 * @param shortFix one clause for a warning, e.g. "set securityContext.readOnlyRootFilesystem: true"
 * @param fix      the YAML to put in the container, indented as under its list item
 * @param help     one paragraph for code-scanning help
 * @param severity code scanning's {@code security-severity} (0–10; 4.0–6.9 is medium)
 * @param catalog  whether the catalog's mutation serves this rule (so its reasons for not helping explain findings)
 * @param check    the problem with the container, in words that complete {@code containers "x" …}; empty when it complies
 */
public record ContainerRule(String id, String field, String title, String shortFix, String fix, String help,
                            String severity, boolean catalog, Function<ContainerView, Optional<String>> check) {

    public Optional<String> problem(ContainerView container) {
        return check.apply(container);
    }

    /** The id as code scanning shows it. */
    public String qualifiedId() {
        return "rofs-guard/" + id;
    }
}

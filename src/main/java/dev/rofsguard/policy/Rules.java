package dev.rofsguard.policy;

import dev.rofsguard.podspec.ContainerView;
import java.util.List;
import java.util.Optional;

/** The rules rofs-guard ships. */
public final class Rules {

    /** Every container, init container and ephemeral container runs with a read-only root filesystem. */
    public static final ContainerRule READ_ONLY_ROOT_FILESYSTEM = new ContainerRule("read-only-root-filesystem",
            "securityContext.readOnlyRootFilesystem", "without a read-only root filesystem",
            "set securityContext.readOnlyRootFilesystem: true",
            "securityContext:\n  readOnlyRootFilesystem: true\n# and an emptyDir volume mounted at each path the program writes (e.g. /tmp)",
            "Add securityContext.readOnlyRootFilesystem: true to the container, and emptyDir volumes at the paths it "
                    + "writes (rofs-guard's catalog knows them for common images).",
            "5.5", true, Rules::readOnlyRootFilesystem);

    public static final List<ContainerRule> DEFAULT = List.of(READ_ONLY_ROOT_FILESYSTEM);

    private Rules() {
    }

    private static Optional<String> readOnlyRootFilesystem(ContainerView c) {
        return Optional.ofNullable(switch (c.rootFilesystem()) {
            case READ_ONLY -> null;
            case NO_SECURITY_CONTEXT -> "has no securityContext";
            case NOT_SET -> "does not set securityContext.readOnlyRootFilesystem";
            case WRITABLE -> "sets securityContext.readOnlyRootFilesystem: false";
            case NOT_A_BOOLEAN -> "sets securityContext.readOnlyRootFilesystem to a non-boolean (write the boolean true, unquoted)";
        });
    }
}

package dev.rofsguard.mutation;

/**
 * Mutation settings.
 *
 * @param enabled                   off: /mutate answers with no patch, and the validator no longer counts on it
 * @param setReadOnlyRootFilesystem set the flag on matched containers where it is absent (an explicit false stays)
 * @param ephemeralContainers       on pods/ephemeralcontainers UPDATE, set the flag on new ephemeral containers
 * @param debugScratchVolume        opt-in: a small emptyDir added at pod CREATE, mounted at /tmp in new ephemeral containers
 * @param debugScratchSizeLimit     its sizeLimit
 */
public record MutationConfig(boolean enabled, boolean setReadOnlyRootFilesystem, boolean ephemeralContainers,
                             boolean debugScratchVolume, String debugScratchSizeLimit) {

    /** Name of the debug scratch volume; stable so that later ephemeral containers can find it. */
    public static final String DEBUG_VOLUME = "rofs-guard-debug-tmp";
    public static final String DEBUG_MOUNT_PATH = "/tmp";
}

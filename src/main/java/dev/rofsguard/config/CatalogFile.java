package dev.rofsguard.config;

import java.util.List;

/** The catalog as written (YAML): shipped in {@code catalog.yaml}, extended under {@code catalog:} in a policy file. */
public record CatalogFile(Defaults defaults, AllImages allImages, List<String> mirrors, List<Entry> entries) {

    /** Applied to every scratch path that does not set its own. */
    public record Defaults(String sizeLimit, String medium) {
    }

    /** Scratch paths for every container (CRI-O style); off by default. */
    public record AllImages(Boolean enabled, List<Path> paths) {
    }

    /** {@code enabled: false} in a user's file removes the shipped entry of that name. */
    public record Entry(String name, Boolean enabled, String reason, List<String> images, List<Path> paths,
                        Boolean shell, java.util.Map<String, String> symlinks, List<String> requiredEnv,
                        List<String> evidence) {
    }

    public record Path(String path, String type, String medium, String sizeLimit, Integer majorAtLeast,
                       Integer majorBelow, String tag, String unlessTag, String env, String arg, String ifMounted,
                       String ifArg, String unlessArg, String ifEnv, String unlessEnv, String reason, String evidence) {
    }
}

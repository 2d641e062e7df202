package dev.rofsguard.catalog;

import dev.rofsguard.image.ImagePattern;
import java.util.List;
import java.util.Map;

/**
 * A known image: the patterns that name it and the paths it writes.
 *
 * @param shell    whether the image has {@code sh} and {@code cp}, which seeding a path needs
 * @param symlinks directories that are symbolic links in the image ({@code /var/run} → {@code /run}): a mount at
 *                 either is a mount at both
 * @param requiredEnv environment variables the image needs set to start with a read-only root (vault's
 *                 {@code SKIP_SETCAP}: its entrypoint otherwise writes a file capability into the image)
 * @param evidence where the image's own sources show what the entry says
 */
public record CatalogEntry(String name, String reason, List<ImagePattern> images, List<CatalogPath> paths,
                           boolean shell, Map<String, String> symlinks, List<String> requiredEnv, List<String> evidence) {

    public CatalogEntry {
        images = List.copyOf(images);
        paths = List.copyOf(paths);
        symlinks = Map.copyOf(symlinks);
        requiredEnv = List.copyOf(requiredEnv);
        evidence = List.copyOf(evidence);
    }

    public CatalogEntry(String name, String reason, List<ImagePattern> images, List<CatalogPath> paths) {
        this(name, reason, images, paths, true, Map.of(), List.of(), List.of());
    }
}

package dev.rofsguard.catalog;

import dev.rofsguard.image.ImagePattern;
import java.util.List;

/** A known image: the patterns that name it and the paths it writes. */
public record CatalogEntry(String name, String reason, List<ImagePattern> images, List<CatalogPath> paths) {

    public CatalogEntry {
        images = List.copyOf(images);
        paths = List.copyOf(paths);
    }
}

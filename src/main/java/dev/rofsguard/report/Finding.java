package dev.rofsguard.report;

import java.util.List;

/**
 * One container that lacks a read-only root filesystem, where it stands in the manifest and how to fix it.
 *
 * @param line          line of the object's document
 * @param containerLine line of the container in the YAML (the document's line when unknown)
 * @param catalogEntry  the catalog entry that knows the image, or null
 * @param scratchPaths  the paths the mutation would back with emptyDir volumes (catalog known images)
 * @param fix           the YAML to add, including the volumes the mutation would add
 */
public record Finding(String source, int line, int containerLine, String kind, String namespace, String name,
                      String container, String containerKind, String image, String fieldPath, String problem,
                      String catalogEntry, List<String> scratchPaths, String fix) {

    public String object() {
        return kind + " " + (namespace.isEmpty() ? "" : namespace + "/") + name;
    }
}

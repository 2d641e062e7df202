package dev.rofsguard.catalog;

import dev.rofsguard.image.ImageReference;

/**
 * A path an image writes at run time.
 *
 * @param medium       {@code Memory} or null (node disk); Memory counts against the container's memory limit
 * @param sizeLimit    a Kubernetes quantity, or null for the catalog default
 * @param majorAtLeast applies only to tags whose leading number is at least this (null: any)
 * @param majorBelow   applies only to tags whose leading number is below this (null: any)
 */
public record CatalogPath(String path, PathType type, String medium, String sizeLimit, Integer majorAtLeast,
                          Integer majorBelow, String reason) {

    /**
     * Whether this path applies to the image's version. A tag without a leading number ({@code latest},
     * {@code alpine}, or a digest alone) is taken as the newest version: it matches {@code majorAtLeast}, not
     * {@code majorBelow}.
     */
    public boolean appliesTo(ImageReference ref) {
        if (majorAtLeast == null && majorBelow == null) {
            return true;
        }
        Integer major = leadingNumber(ref.tag());
        if (major == null) {
            return majorBelow == null;
        }
        return (majorAtLeast == null || major >= majorAtLeast) && (majorBelow == null || major < majorBelow);
    }

    static Integer leadingNumber(String tag) {
        if (tag == null) {
            return null;
        }
        int i = 0;
        while (i < tag.length() && Character.isDigit(tag.charAt(i)) && i < 9) {
            i++;
        }
        return i == 0 ? null : Integer.valueOf(tag.substring(0, i));
    }
}

package dev.rofsguard.catalog;

import dev.rofsguard.image.ImageReference;
import java.util.regex.Pattern;

/**
 * A path an image writes at run time.
 *
 * @param medium       {@code Memory} or null (node disk); Memory counts against the container's memory limit
 * @param sizeLimit    a Kubernetes quantity, or null for the catalog default
 * @param majorAtLeast applies only to tags whose leading number is at least this (null: any)
 * @param majorBelow   applies only to tags whose leading number is below this (null: any)
 * @param tag          applies only to tags matching this glob, e.g. {@code *-ubi*} (null: any; a reference with a
 *                     digest and no tag never matches a tag glob)
 * @param env          an environment variable that moves this path when the container sets it (e.g. PGDATA)
 * @param arg          a command-line flag whose value moves this path (e.g. redis {@code --dir})
 * @param ifMounted    applies only when the container mounts something here (nginx writes conf.d only with templates)
 * @param evidence     where the image's own sources show the path (URL and fact)
 */
public record CatalogPath(String path, PathType type, String medium, String sizeLimit, Integer majorAtLeast,
                          Integer majorBelow, String tag, String env, String arg, String ifMounted, String reason,
                          String evidence) {

    public CatalogPath(String path, PathType type, String medium, String sizeLimit, Integer majorAtLeast,
                       Integer majorBelow, String reason) {
        this(path, type, medium, sizeLimit, majorAtLeast, majorBelow, null, null, null, null, reason, null);
    }

    /**
     * Whether this path applies to the image's version. A tag without a leading number ({@code latest},
     * {@code alpine}, or a digest alone) is taken as the newest version: it matches {@code majorAtLeast}, not
     * {@code majorBelow}.
     */
    public boolean appliesTo(ImageReference ref) {
        if (tag != null && (ref.tag() == null || !glob(tag).matcher(ref.tag()).matches())) {
            return false;
        }
        if (majorAtLeast == null && majorBelow == null) {
            return true;
        }
        Integer major = leadingNumber(ref.tag());
        if (major == null) {
            return majorBelow == null;
        }
        return (majorAtLeast == null || major >= majorAtLeast) && (majorBelow == null || major < majorBelow);
    }

    private static Pattern glob(String glob) {
        StringBuilder re = new StringBuilder();
        for (char c : glob.toCharArray()) {
            re.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(re.toString());
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

package dev.rofsguard.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rofsguard.image.ImageReference;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A path an image writes at run time.
 *
 * @param medium       {@code Memory} or null (node disk); Memory counts against the container's memory limit
 * @param sizeLimit    a Kubernetes quantity, or null for the catalog default
 * @param majorAtLeast applies only to tags whose leading number is at least this (null: any)
 * @param majorBelow   applies only to tags whose leading number is below this (null: any)
 * @param tag          applies only to tags matching this glob, e.g. {@code *-ubi*}; alternatives separated by
 *                     {@code |} (null: any; a reference with a digest and no tag never matches a tag glob)
 * @param unlessTag    applies except to tags matching this glob ({@code *fpm*|cli*}); a digest alone matches none
 * @param env          an environment variable that moves this path when the container sets it (e.g. PGDATA)
 * @param arg          a command-line flag whose value moves this path (e.g. redis {@code --dir})
 * @param ifMounted    applies only when the container mounts something here (nginx writes conf.d only with templates)
 * @param ifArg        applies only when the command or args hold this word (mongo {@code --configsvr}), alone, or
 *                     followed by {@code =} or {@code .} ({@code --experimental.plugins.x.modulename=…})
 * @param unlessArg    applies only when they do not (keycloak {@code --optimized})
 * @param ifEnv        applies only when the container sets this variable ({@code NAME}), or sets it to a value
 *                     holding this word ({@code NAME=word}, e.g. {@code GF_LOG_MODE=file})
 * @param unlessEnv    applies only when the container does not set this variable (kafka {@code KAFKA_LOG_DIRS})
 * @param evidence     where the image's own sources show the path (URL and fact)
 */
public record CatalogPath(String path, PathType type, String medium, String sizeLimit, Integer majorAtLeast,
                          Integer majorBelow, String tag, String unlessTag, String env, String arg, String ifMounted,
                          String ifArg, String unlessArg, String ifEnv, String unlessEnv, String reason,
                          String evidence) {

    public CatalogPath(String path, PathType type, String medium, String sizeLimit, Integer majorAtLeast,
                       Integer majorBelow, String reason) {
        this(path, type, medium, sizeLimit, majorAtLeast, majorBelow, null, null, null, null, null, null, null, null,
                null, reason, null);
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
        if (unlessTag != null && ref.tag() != null && glob(unlessTag).matcher(ref.tag()).matches()) {
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

    /** Whether the container's command, args and env meet this path's conditions on them (mounts are the planner's). */
    public boolean appliesTo(JsonNode container) {
        if (ifArg != null || unlessArg != null) {
            List<String> words = words(container);
            if (ifArg != null && words.stream().noneMatch(w -> isArg(w, ifArg))) {
                return false;
            }
            if (unlessArg != null && words.stream().anyMatch(w -> isArg(w, unlessArg))) {
                return false;
            }
        }
        if (ifEnv != null && !envMeets(container, ifEnv)) {
            return false;
        }
        return unlessEnv == null || !envMeets(container, unlessEnv);
    }

    /** Whether the path has conditions on the container (args, env) beyond the image reference. */
    public boolean conditional() {
        return ifArg != null || unlessArg != null || ifEnv != null || unlessEnv != null || ifMounted != null;
    }

    private static List<String> words(JsonNode container) {
        List<String> words = new ArrayList<>();
        container.path("command").forEach(w -> words.add(w.asText()));
        container.path("args").forEach(w -> words.add(w.asText()));
        return words;
    }

    private static boolean isArg(String word, String flag) {
        return word.equals(flag) || word.startsWith(flag + "=") || (flag.startsWith("-") && word.startsWith(flag + "."));
    }

    /** {@code NAME}: set at all (a value or a reference); {@code NAME=word}: a literal value holding that word. */
    private static boolean envMeets(JsonNode container, String condition) {
        int eq = condition.indexOf('=');
        String name = eq < 0 ? condition : condition.substring(0, eq);
        for (JsonNode e : container.path("env")) {
            if (!name.equals(e.path("name").asText())) {
                continue;
            }
            if (eq < 0) {
                return true;
            }
            String word = condition.substring(eq + 1);
            String value = e.path("value").asText("");
            for (String w : value.split("[\\s,]+")) {
                if (w.equals(word)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Pattern glob(String glob) {
        return Pattern.compile(globRegex(glob));
    }

    /**
     * A tag glob ({@code *}, {@code ?}, alternatives with {@code |}) as a regular expression both Java and RE2 read
     * alike (the native policies match tags with it in CEL): other characters escaped with a backslash.
     */
    public static String globRegex(String glob) {
        StringBuilder re = new StringBuilder("(?:");
        for (char ch : glob.toCharArray()) {
            if (ch == '*') {
                re.append(".*");
            } else if (ch == '?') {
                re.append('.');
            } else if (ch == '|') {
                re.append('|');
            } else if (Character.isLetterOrDigit(ch) || ch == '_' || ch == '-') {
                re.append(ch);
            } else {
                re.append('\\').append(ch);
            }
        }
        return re.append(')').toString();
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

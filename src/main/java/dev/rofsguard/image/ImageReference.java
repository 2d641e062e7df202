package dev.rofsguard.image;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A container image reference, parsed and normalised as the container runtimes do (the distribution
 * reference grammar and Docker's normalisation): a registry host is a first component with a {@code .} or
 * {@code :}, or {@code localhost}; otherwise the registry is {@code docker.io}, and a single-component
 * repository there gets {@code library/}.
 *
 * @param registry   normalised registry host, e.g. {@code docker.io}, {@code registry.example.com:5000}
 * @param repository repository path, e.g. {@code library/nginx}
 * @param tag        tag or null
 * @param digest     digest or null
 */
public record ImageReference(String registry, String repository, String tag, String digest) {

    public static final String DOCKER_HUB = "docker.io";

    // Grammar from github.com/distribution/reference (regexp.go), kept as close to it as Java allows.
    private static final String ALPHANUM = "[a-z0-9]+";
    private static final String SEPARATOR = "(?:[._]|__|[-]+)";
    private static final String PATH_COMPONENT = ALPHANUM + "(?:" + SEPARATOR + ALPHANUM + ")*";
    private static final String DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private static final String IPV6 = "\\[(?:[a-fA-F0-9:]+)\\]";
    private static final String DOMAIN = "(?:" + DOMAIN_COMPONENT + "(?:\\." + DOMAIN_COMPONENT + ")*|" + IPV6 + ")(?::[0-9]+)?";
    private static final String TAG = "[\\w][\\w.-]{0,127}";
    private static final String DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
    private static final Pattern REFERENCE = Pattern.compile(
            "^((?:" + DOMAIN + "/)?" + PATH_COMPONENT + "(?:/" + PATH_COMPONENT + ")*)(?::(" + TAG + "))?(?:@(" + DIGEST + "))?$");
    private static final int NAME_TOTAL_LENGTH_MAX = 255;

    /** Parses a reference as written in a pod spec; empty when it is not a valid reference (never throws). */
    public static Optional<ImageReference> parse(String text) {
        if (text == null || text.isEmpty() || text.length() > 512) {
            return Optional.empty();
        }
        // The grammar's domain part admits upper case but the path does not; Docker normalises only the
        // domain decision, so split first, then validate the whole against the grammar.
        String name = text;
        String rest = "";
        int at = text.indexOf('@');
        String beforeDigest = at >= 0 ? text.substring(0, at) : text;
        int lastSlash = beforeDigest.lastIndexOf('/');
        int colon = beforeDigest.indexOf(':', lastSlash + 1);
        int nameEnd = colon >= 0 ? colon : beforeDigest.length();
        name = text.substring(0, nameEnd);
        rest = text.substring(nameEnd);

        String registry;
        String remainder;
        int slash = name.indexOf('/');
        String first = slash < 0 ? "" : name.substring(0, slash);
        if (slash < 0 || (first.indexOf('.') < 0 && first.indexOf(':') < 0 && !first.equals("localhost")
                && first.toLowerCase(Locale.ROOT).equals(first))) {
            registry = DOCKER_HUB;
            remainder = name;
        } else {
            registry = first;
            remainder = name.substring(slash + 1);
        }
        if (registry.equals("index.docker.io")) {
            registry = DOCKER_HUB;
        }
        if (registry.equals(DOCKER_HUB) && remainder.indexOf('/') < 0) {
            remainder = "library/" + remainder;
        }
        Matcher m = REFERENCE.matcher(registry + "/" + remainder + rest);
        if (!m.matches() || m.group(1).length() > NAME_TOTAL_LENGTH_MAX) {
            return Optional.empty();
        }
        return Optional.of(new ImageReference(registry, remainder, m.group(2), m.group(3)));
    }

    @Override
    public String toString() {
        return registry + "/" + repository + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }
}

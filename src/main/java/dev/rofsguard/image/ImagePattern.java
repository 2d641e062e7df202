package dev.rofsguard.image;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A pattern over normalised image references. It is written like a reference and normalised the same way, so
 * {@code nginx} means {@code docker.io/library/nginx} and never {@code evil.example/nginx}. Forms:
 * <ul>
 *   <li>{@code nginx}, {@code docker.io/library/nginx}: that repository on that registry;</li>
 *   <li><code>&#42;/library/nginx</code>: that repository on any registry (mirrors);</li>
 *   <li>{@code ghcr.io/acme/*}: {@code *} matches within one path component, {@code **} across components;</li>
 *   <li>{@code postgres:1?} or {@code nginx:1.27-*}: a tag glob; a reference without tag or digest has tag {@code latest};</li>
 *   <li>{@code nginx@sha256:…}: one digest.</li>
 * </ul>
 */
public final class ImagePattern {

    private static final String ANY_REGISTRY = "*";

    private final String text;
    private final String registry; // "*" = any
    private final Pattern repository;
    private final Pattern tag; // null = any tag
    private final String digest; // null = any digest
    private final String repositoryGlob;
    private final String tagGlob;

    private ImagePattern(String text, String registry, String repositoryGlob, String tagGlob, String digest) {
        this.repositoryGlob = repositoryGlob;
        this.tagGlob = tagGlob;
        Pattern repository = glob(repositoryGlob, true);
        Pattern tag = tagGlob == null ? null : glob(tagGlob, false);
        this.text = text;
        this.registry = registry;
        this.repository = repository;
        this.tag = tag;
        this.digest = digest;
    }

    /** Parses a pattern; throws IllegalArgumentException with the reason when it is malformed. */
    public static ImagePattern parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("image pattern is empty");
        }
        String s = text.trim();
        String digest = null;
        int at = s.indexOf('@');
        if (at >= 0) {
            digest = s.substring(at + 1);
            s = s.substring(0, at);
            if (!digest.matches("[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}")) {
                throw new IllegalArgumentException("image pattern '" + text + "' has an invalid digest");
            }
        }
        String tag = null;
        int lastSlash = s.lastIndexOf('/');
        int colon = s.indexOf(':', lastSlash + 1);
        if (colon >= 0) {
            tag = s.substring(colon + 1);
            s = s.substring(0, colon);
        }
        String registry;
        String repo;
        int slash = s.indexOf('/');
        String first = slash < 0 ? "" : s.substring(0, slash);
        if (first.equals(ANY_REGISTRY)) {
            registry = ANY_REGISTRY;
            repo = s.substring(slash + 1);
        } else if (slash >= 0 && (first.contains(".") || first.contains(":") || first.equals("localhost"))) {
            registry = first.toLowerCase(Locale.ROOT).equals("index.docker.io") ? ImageReference.DOCKER_HUB : first;
            repo = s.substring(slash + 1);
        } else {
            registry = ImageReference.DOCKER_HUB;
            repo = s;
        }
        if (registry.equals(ImageReference.DOCKER_HUB) && !repo.contains("/") && !repo.contains("**")) {
            repo = "library/" + repo;
        }
        if (repo.isEmpty() || !repo.matches("[a-z0-9._/*-]+")) {
            throw new IllegalArgumentException("image pattern '" + text + "' has an invalid repository '" + repo
                    + "' (lower-case letters, digits, . _ - / and the globs * and **)");
        }
        return new ImagePattern(text, registry, repo, tag, digest);
    }

    /** Globs: {@code **} any text; {@code *} any text within one path component (repositories) or any text (tags); {@code ?} one character. */
    private static Pattern glob(String glob, boolean pathAware) {
        return Pattern.compile(re2(glob, pathAware)); // RE2's escapes are Java's too: one translation for both engines
    }

    public boolean matches(ImageReference ref) {
        if (!registry.equals(ANY_REGISTRY) && !registry.equalsIgnoreCase(ref.registry())) {
            return false;
        }
        if (!repository.matcher(ref.repository()).matches()) {
            return false;
        }
        if (digest != null && !digest.equalsIgnoreCase(ref.digest())) {
            return false;
        }
        if (tag != null) {
            String refTag = ref.tag() != null ? ref.tag() : (ref.digest() == null ? "latest" : null);
            return refTag != null && tag.matcher(refTag).matches();
        }
        return true;
    }

    /**
     * For the catalog only: a pattern for any registry ({@code *\/library/nginx}) also matches behind a path-prefixed
     * mirror or pull-through cache ({@code harbor.example.com/dockerhub-proxy/library/nginx},
     * {@code public.ecr.aws/docker/library/nginx}). Exemptions never use this: they stay anchored at the registry.
     */
    public boolean matchesBehindMirror(ImageReference ref) {
        if (matches(ref)) {
            return true;
        }
        if (!registry.equals(ANY_REGISTRY)) {
            return false;
        }
        String repo = ref.repository();
        for (int slash = repo.indexOf('/'); slash >= 0; slash = repo.indexOf('/', slash + 1)) {
            if (matches(new ImageReference(ref.registry(), repo.substring(slash + 1), ref.tag(), ref.digest()))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The same pattern as an RE2 regular expression over the image <em>as written</em> in a pod spec, with Docker's
     * normalisation folded in ({@code nginx}, {@code library/nginx}, {@code docker.io/nginx} and
     * {@code index.docker.io/library/nginx} are one image): for policies that run where no Java runs (CEL's
     * {@code matches}). Anchored; a pattern for one registry never matches another.
     */
    public String rawRegex() {
        String name;
        String repo = re2(repositoryGlob, true);
        boolean library = repositoryGlob.startsWith("library/");
        String hubRepo = library ? "(?:library/)?" + re2(repositoryGlob.substring("library/".length()), true) : repo;
        String hub = "(?:(?:docker\\.io|index\\.docker\\.io)/)?" + hubRepo;
        if (registry.equals(ANY_REGISTRY)) {
            name = "(?:" + hub + "|(?:[^/]*[.:][^/]*|localhost)/" + repo + ")";
        } else if (registry.equals(ImageReference.DOCKER_HUB)) {
            name = hub;
        } else {
            name = re2(registry, false) + "/" + repo;
        }
        String anyTag = "(?::[\\w][\\w.-]{0,127})?";
        String tagPart;
        if (tagGlob == null) {
            tagPart = anyTag;
        } else {
            String t = ":" + re2(tagGlob, false);
            // No tag means latest, unless a digest pins it.
            tagPart = glob(tagGlob, false).matcher("latest").matches() && digest == null ? "(?:" + t + ")?" : t;
        }
        String digestPart = digest == null ? "(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?"
                : "@" + re2(digest, false);
        return "^" + name + tagPart + digestPart + "$";
    }

    /**
     * As {@link #rawRegex()}, with the catalog's reading of mirrors folded in ({@link #matchesBehindMirror} and the
     * user's Docker Hub mirror prefixes): for the native mutation, which must match the images the catalog matches.
     */
    public String catalogRegex(List<String> mirrors) {
        if (!registry.equals(ANY_REGISTRY) && !registry.equals(ImageReference.DOCKER_HUB)) {
            return rawRegex();
        }
        String raw = rawRegex();
        String tail = raw.substring(raw.indexOf(tagAndDigestStart()));
        List<String> names = new ArrayList<>();
        String repo = re2(repositoryGlob, true);
        boolean library = repositoryGlob.startsWith("library/");
        String bare = library ? re2(repositoryGlob.substring("library/".length()), true) : null;
        if (registry.equals(ANY_REGISTRY)) {
            // Behind a path-prefixed mirror or pull-through cache: any leading path components, then the repository.
            String prefixed = "(?:[^/]+/)*" + repo;
            String hubRepo = library ? "(?:(?:[^/]+/)*library/)?" + bare : prefixed;
            names.add("(?:(?:docker\\.io|index\\.docker\\.io)/)?" + hubRepo);
            names.add("(?:[^/]*[.:][^/]*|localhost)/" + prefixed);
        } else {
            names.add("(?:(?:docker\\.io|index\\.docker\\.io)/)?" + (library ? "(?:library/)?" + bare : repo));
        }
        for (String mirror : mirrors) {
            names.add(re2(mirror, false) + "/" + (library ? "(?:library/)?" + bare : repo));
        }
        return "^(?:" + String.join("|", names) + ")" + tail;
    }

    /** Where {@link #rawRegex()} leaves the name for the tag and digest parts. */
    private String tagAndDigestStart() {
        String raw = rawRegex();
        String anyTag = "(?::[\\w][\\w.-]{0,127})?";
        if (tagGlob == null) {
            return anyTag;
        }
        String t = ":" + re2(tagGlob, false);
        return raw.contains("(?:" + t + ")?") ? "(?:" + t + ")?" : t;
    }

    /** A glob (or literal text) as RE2, with RE2's own escapes (no {@code \Q…\E} quirks across engines). */
    private static String re2(String glob, boolean pathAware) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*') {
                if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                    re.append(".*");
                    i++;
                } else {
                    re.append(pathAware ? "[^/]*" : ".*");
                }
            } else if (c == '?') {
                re.append(pathAware ? "[^/]" : ".");
            } else if (Character.isLetterOrDigit(c) || c == '/' || c == '_' || c == '-') {
                re.append(c);
            } else {
                re.append('\\').append(c);
            }
        }
        return re.toString();
    }

    /** Matches an image as written in a pod spec; an unparsable reference matches nothing. */
    public boolean matches(String image) {
        return ImageReference.parse(image).map(this::matches).orElse(false);
    }

    @Override
    public String toString() {
        return text;
    }
}

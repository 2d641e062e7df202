package dev.rofsguard.catalog;

import dev.rofsguard.image.ImagePattern;
import dev.rofsguard.image.ImageReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The catalog of known images, validated. Entries are tried in order (the user's first); the first whose pattern
 * matches wins. {@code allImages} paths, when enabled, apply to every container, the way CRI-O's read-only mode
 * mounts tmpfs at /tmp, /var/tmp and /run.
 *
 * Every emptyDir gets a sizeLimit (the path's own, else the default), so a runaway writer is evicted instead of
 * filling the node.
 */
public final class Catalog {

    /** A cluster runs few distinct images many times: matches are remembered, up to this many images. */
    private static final int REMEMBERED_IMAGES = 10_000;

    private final List<CatalogEntry> entries;
    private final String defaultSizeLimit;
    private final String defaultMedium;
    private final List<CatalogPath> allImages;
    private final List<String> mirrors;
    private final Map<String, Lookup> lookups = new ConcurrentHashMap<>();

    /** What one image as written resolves to: its match, and whether it is a valid reference at all. */
    private record Lookup(Optional<Match> match, boolean valid) {
    }

    public Catalog(List<CatalogEntry> entries, String defaultSizeLimit, String defaultMedium, List<CatalogPath> allImages) {
        this(entries, defaultSizeLimit, defaultMedium, allImages, List.of());
    }

    /** @param mirrors registry/path prefixes that mirror Docker Hub ({@code harbor.example.com/hub}) */
    public Catalog(List<CatalogEntry> entries, String defaultSizeLimit, String defaultMedium, List<CatalogPath> allImages,
                   List<String> mirrors) {
        this.mirrors = List.copyOf(mirrors);
        this.entries = List.copyOf(entries);
        this.defaultSizeLimit = defaultSizeLimit;
        this.defaultMedium = defaultMedium;
        this.allImages = List.copyOf(allImages);
    }

    public List<String> mirrors() {
        return mirrors;
    }

    public List<CatalogEntry> entries() {
        return entries;
    }

    public String defaultSizeLimit() {
        return defaultSizeLimit;
    }

    public String defaultMedium() {
        return defaultMedium;
    }

    /** Paths for every container, or empty when that option is off. */
    public List<CatalogPath> allImages() {
        return allImages;
    }

    /**
     * What the catalog says about one image: the paths that apply to its tag, scratch and seeded ones resolved to
     * their medium and size, with the entry's symlinks and whether it can be seeded; {@code canonical} maps each of
     * its paths to the form {@link ImagePaths#canonical} gives it.
     */
    public record Match(String entry, List<Resolved> paths, Map<String, String> symlinks, boolean shell,
                        List<String> requiredEnv, Map<String, String> canonical) {

        public List<Resolved> of(PathType type) {
            return paths.stream().filter(p -> p.type() == type).toList();
        }

        /** The scratch paths, as emptyDir volumes get them. */
        public List<Scratch> scratch() {
            return of(PathType.SCRATCH).stream().map(p -> new Scratch(p.path(), p.medium(), p.sizeLimit())).toList();
        }

        public List<CatalogPath> data() {
            return of(PathType.DATA).stream().map(Resolved::source).toList();
        }
    }

    /** A path for one image: medium and size resolved from the defaults (null for data and obsolete paths). */
    public record Resolved(String path, PathType type, String medium, String sizeLimit, CatalogPath source) {
    }

    /** A path to back with an emptyDir. */
    public record Scratch(String path, String medium, String sizeLimit) {
    }

    /** The match for an image as written in a pod spec; empty when unknown or unparsable. */
    public Optional<Match> match(String image) {
        return lookup(image).match();
    }

    /** The reference as the catalog reads it: normalised, and through the user's mirror prefixes; empty when invalid. */
    public Optional<ImageReference> reference(String image) {
        return ImageReference.parse(unmirrored(image));
    }

    /** Whether the image is a reference the runtimes accept (remembered with the match, so it costs nothing more). */
    public boolean validReference(String image) {
        return lookup(image).valid();
    }

    private Lookup lookup(String image) {
        Lookup known = lookups.get(image);
        if (known != null) {
            return known;
        }
        Optional<ImageReference> ref = ImageReference.parse(unmirrored(image));
        Lookup lookup = new Lookup(ref.flatMap(this::compute), ref.isPresent());
        if (lookups.size() >= REMEMBERED_IMAGES) {
            lookups.clear(); // crude but bounded; a working set refills it at once
        }
        lookups.put(image, lookup);
        return lookup;
    }

    private Optional<Match> compute(ImageReference reference) {
        Optional<ImageReference> ref = Optional.of(reference);
        for (CatalogEntry e : entries) {
            for (ImagePattern p : e.images()) {
                if (p.matchesBehindMirror(ref.get())) {
                    return Optional.of(resolve(e.name(), e.paths(), ref.get(), e.symlinks(), e.shell(), e.requiredEnv()));
                }
            }
        }
        if (!allImages.isEmpty()) {
            return Optional.of(resolve("all-images", allImages, ref.get(), Map.of(), false, List.of()));
        }
        return Optional.empty();
    }

    /** A reference through one of the user's mirror prefixes, read as the Docker Hub reference it stands for. */
    private String unmirrored(String image) {
        for (String prefix : mirrors) {
            if (image.startsWith(prefix + "/")) {
                return ImageReference.DOCKER_HUB + "/" + image.substring(prefix.length() + 1);
            }
        }
        return image;
    }

    private Match resolve(String name, List<CatalogPath> paths, ImageReference ref, Map<String, String> symlinks, boolean shell,
                          List<String> requiredEnv) {
        List<Resolved> resolved = new ArrayList<>();
        for (CatalogPath p : paths) {
            if (p.appliesTo(ref)) {
                resolved.add(resolved(p));
            }
        }
        // Each path (and ifMounted path) as the planner compares it, worked out once per remembered match.
        List<String> all = new ArrayList<>();
        resolved.forEach(r -> {
            all.add(r.path());
            all.add(r.source().ifMounted());
        });
        return new Match(name, resolved, symlinks, shell, requiredEnv, ImagePaths.canonicalAll(all, symlinks));
    }

    /** A path with its emptyDir medium and size resolved from the defaults (null for data and obsolete paths). */
    public Resolved resolved(CatalogPath p) {
        boolean volume = p.type() == PathType.SCRATCH || p.type() == PathType.SEEDED;
        return new Resolved(p.path(), p.type(), volume ? (p.medium() != null ? p.medium() : defaultMedium) : null,
                volume ? (p.sizeLimit() != null ? p.sizeLimit() : defaultSizeLimit) : null, p);
    }
}

package dev.rofsguard.config;

import dev.rofsguard.image.ImagePattern;
import io.fabric8.kubernetes.api.model.Quantity;
import dev.rofsguard.image.ImageReference;
import dev.rofsguard.catalog.Catalog;
import dev.rofsguard.catalog.CatalogEntry;
import dev.rofsguard.catalog.CatalogPath;
import dev.rofsguard.catalog.PathType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** Turns a {@link CatalogFile} into a {@link Catalog}, refusing anything an API server would reject or that loses data. */
final class CatalogValidator {

    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?");
    private static final Pattern PATH = Pattern.compile("/[^\\x00]*");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*");
    private static final Pattern ENV_CONDITION = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*(=[^\\s,]+)?");
    private static final Pattern TAG_GLOB = Pattern.compile("[A-Za-z0-9_.*?-]+(\\|[A-Za-z0-9_.*?-]+)*");

    private CatalogValidator() {
    }

    static Catalog validate(CatalogFile file, String source) throws ConfigException {
        if (file == null) {
            throw new ConfigException(source + ": catalog is missing");
        }
        String where = source + ": catalog";
        CatalogFile.Defaults defaults = file.defaults();
        if (defaults == null || defaults.sizeLimit() == null) {
            throw new ConfigException(where + ".defaults.sizeLimit is required: every emptyDir rofs-guard adds gets a sizeLimit");
        }
        quantity(defaults.sizeLimit(), where + ".defaults.sizeLimit");
        String medium = medium(defaults.medium(), where + ".defaults.medium");

        List<CatalogPath> allImages = List.of();
        CatalogFile.AllImages all = file.allImages();
        if (all != null && Boolean.TRUE.equals(all.enabled())) {
            allImages = paths(all.paths(), where + ".allImages.paths");
            for (CatalogPath p : allImages) {
                if (p.type() != PathType.SCRATCH) {
                    throw new ConfigException(where + ".allImages.paths: " + p.path() + " is " + p.type().name().toLowerCase(Locale.ROOT)
                            + "; only scratch paths apply to every image");
                }
            }
        }
        List<CatalogEntry> entries = new ArrayList<>();
        Set<String> names = new HashSet<>();
        List<CatalogFile.Entry> list = file.entries() == null ? List.of() : file.entries();
        for (int i = 0; i < list.size(); i++) {
            CatalogFile.Entry e = list.get(i);
            String at = where + ".entries[" + i + "]";
            if (e == null || e.name() == null || !NAME.matcher(e.name()).matches()) {
                throw new ConfigException(at + ".name '" + (e == null ? null : e.name()) + "' must be a lower-case name (a-z, 0-9, - and .)");
            }
            at = at + " (" + e.name() + ")";
            if (!names.add(e.name())) {
                throw new ConfigException(at + ": a second entry named " + e.name());
            }
            if (Boolean.FALSE.equals(e.enabled())) {
                continue;
            }
            if (e.images() == null || e.images().isEmpty()) {
                throw new ConfigException(at + ".images: at least one image pattern is required");
            }
            List<ImagePattern> patterns = new ArrayList<>();
            for (int j = 0; j < e.images().size(); j++) {
                try {
                    patterns.add(ImagePattern.parse(e.images().get(j)));
                } catch (IllegalArgumentException ex) {
                    throw new ConfigException(at + ".images[" + j + "]: " + ex.getMessage());
                }
            }
            List<CatalogPath> paths = paths(e.paths(), at + ".paths");
            java.util.Map<String, String> symlinks = e.symlinks() == null ? java.util.Map.of() : e.symlinks();
            for (java.util.Map.Entry<String, String> link : symlinks.entrySet()) {
                if (!clean(link.getKey()) || !clean(link.getValue())) {
                    throw new ConfigException(at + ".symlinks: '" + link.getKey() + "' -> '" + link.getValue()
                            + "' must map a clean absolute path to another");
                }
            }
            boolean shell = !Boolean.FALSE.equals(e.shell());
            List<String> requiredEnv = e.requiredEnv() == null ? List.of() : e.requiredEnv();
            for (int j = 0; j < requiredEnv.size(); j++) {
                if (requiredEnv.get(j) == null || !ENV_NAME.matcher(requiredEnv.get(j)).matches()) {
                    throw new ConfigException(at + ".requiredEnv[" + j + "] '" + requiredEnv.get(j) + "' must be an environment variable name");
                }
            }
            entries.add(new CatalogEntry(e.name(), e.reason(), patterns, paths, shell, symlinks, requiredEnv,
                    e.evidence() == null ? List.of() : e.evidence()));
        }
        List<String> mirrors = file.mirrors() == null ? List.of() : file.mirrors();
        for (int i = 0; i < mirrors.size(); i++) {
            String m = mirrors.get(i);
            if (m == null || m.endsWith("/") || ImageReference.parse(m + "/x").filter(r -> !r.registry().equals(ImageReference.DOCKER_HUB)).isEmpty()) {
                throw new ConfigException(where + ".mirrors[" + i + "] '" + m + "' must be a registry host and optional path, "
                        + "such as harbor.example.com/dockerhub-proxy");
            }
        }
        return new Catalog(entries, defaults.sizeLimit(), medium, allImages, mirrors);
    }

    private static List<CatalogPath> paths(List<CatalogFile.Path> list, String where) throws ConfigException {
        List<CatalogPath> paths = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        if (list == null) {
            return paths;
        }
        for (int i = 0; i < list.size(); i++) {
            CatalogFile.Path p = list.get(i);
            String at = where + "[" + i + "]";
            if (p == null || !clean(p.path())) {
                throw new ConfigException(at + ".path '" + (p == null ? null : p.path())
                        + "' must be a clean absolute path other than / (no //, ., .. or trailing /)");
            }
            PathType type;
            try {
                type = PathType.valueOf((p.type() == null ? "scratch" : p.type()).toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(at + ".type '" + p.type() + "' is not one of scratch, data, seeded, obsolete");
            }
            if ((type == PathType.DATA || type == PathType.OBSOLETE) && (p.medium() != null || p.sizeLimit() != null)) {
                throw new ConfigException(at + " (" + p.path() + "): a data path is never an emptyDir, so medium and sizeLimit make no sense");
            }
            if (p.ifMounted() != null && !clean(p.ifMounted())) {
                throw new ConfigException(at + ".ifMounted '" + p.ifMounted() + "' must be a clean absolute path");
            }
            if (p.arg() != null && !p.arg().startsWith("-")) {
                throw new ConfigException(at + ".arg '" + p.arg() + "' must be a command-line flag such as --dir");
            }
            if (p.env() != null && !ENV_NAME.matcher(p.env()).matches()) {
                throw new ConfigException(at + ".env '" + p.env() + "' must be an environment variable name");
            }
            for (String[] w : new String[][] {{"ifArg", p.ifArg()}, {"unlessArg", p.unlessArg()}}) {
                if (w[1] != null && (w[1].isEmpty() || !w[1].equals(w[1].strip()) || w[1].contains(" "))) {
                    throw new ConfigException(at + "." + w[0] + " '" + w[1] + "' must be one word of the command line, such as --configsvr");
                }
            }
            for (String[] w : new String[][] {{"ifEnv", p.ifEnv()}, {"unlessEnv", p.unlessEnv()}}) {
                if (w[1] != null && !ENV_CONDITION.matcher(w[1]).matches()) {
                    throw new ConfigException(at + "." + w[0] + " '" + w[1] + "' must be NAME or NAME=word");
                }
            }
            for (String[] w : new String[][] {{"tag", p.tag()}, {"unlessTag", p.unlessTag()}}) {
                if (w[1] != null && !TAG_GLOB.matcher(w[1]).matches()) {
                    throw new ConfigException(at + "." + w[0] + " '" + w[1] + "' must be tag globs (* and ?) separated by |");
                }
            }
            if (p.sizeLimit() != null) {
                quantity(p.sizeLimit(), at + ".sizeLimit");
            }
            String medium = medium(p.medium(), at + ".medium");
            if ((p.majorAtLeast() != null && p.majorAtLeast() < 0) || (p.majorBelow() != null && p.majorBelow() < 0)) {
                throw new ConfigException(at + ": majorAtLeast and majorBelow are version numbers (0 or more)");
            }
            // The same path may appear under exclusive conditions (keycloak's data dir: scratch, data with start-dev).
            String key = String.join("|", p.path(), String.valueOf(p.majorAtLeast()), String.valueOf(p.majorBelow()),
                    String.valueOf(p.tag()), String.valueOf(p.unlessTag()), String.valueOf(p.ifArg()), String.valueOf(p.unlessArg()),
                    String.valueOf(p.ifEnv()), String.valueOf(p.unlessEnv()), String.valueOf(p.ifMounted()));
            if (!seen.add(key)) {
                throw new ConfigException(at + ".path " + p.path() + " is listed twice");
            }
            paths.add(new CatalogPath(p.path(), type, medium, p.sizeLimit(), p.majorAtLeast(), p.majorBelow(), p.tag(),
                    p.unlessTag(), p.env(), p.arg(), p.ifMounted(), p.ifArg(), p.unlessArg(), p.ifEnv(), p.unlessEnv(),
                    p.reason(), p.evidence()));
        }
        return paths;
    }

    /** An absolute path other than /, with no //, ., .. or trailing /. */
    private static boolean clean(String path) {
        return path != null && PATH.matcher(path).matches() && !path.equals("/") && !path.contains("//") && !path.endsWith("/")
                && !("/" + path + "/").contains("/../") && !("/" + path + "/").contains("/./");
    }

    /** A positive Kubernetes quantity, as fabric8 (and the API server) reads it: 64Mi, 1e9, .5Gi. */
    static void quantity(String q, String where) throws ConfigException {
        boolean valid;
        try {
            valid = q != null && q.equals(q.strip()) && !q.isEmpty()
                    && Quantity.getAmountInBytes(Quantity.parse(q)).signum() > 0;
        } catch (IllegalArgumentException | ArithmeticException e) {
            valid = false;
        }
        if (!valid) {
            throw new ConfigException(where + " '" + q + "' is not a Kubernetes quantity (a positive one, such as 64Mi or 1Gi)");
        }
    }

    private static String medium(String m, String where) throws ConfigException {
        if (m == null || m.isEmpty()) {
            return null;
        }
        if (!m.equals("Memory")) {
            throw new ConfigException(where + " '" + m + "' must be Memory or empty (node disk)");
        }
        return m;
    }
}

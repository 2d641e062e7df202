package dev.rofsguard.export;

import dev.rofsguard.catalog.Catalog;
import dev.rofsguard.catalog.CatalogEntry;
import dev.rofsguard.catalog.CatalogPath;
import dev.rofsguard.catalog.ImagePaths;
import dev.rofsguard.catalog.PathType;
import dev.rofsguard.mutation.MutationConfig;
import dev.rofsguard.mutation.VolumeNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The catalog and the patch planner's reasoning compiled to CEL: for one container, the plan the Java planner would
 * make ({@link dev.rofsguard.mutation.PatchPlanner#create}), as a CEL map
 * {@code {entry, blocked, native, flag, mounts: [{path, medium, sizeLimit, seeded, name}], seed}}. The same
 * expression serves the MutatingAdmissionPolicy (which applies it) and the ValidatingAdmissionPolicy (a workload's
 * container the mutation will fix passes, as with the webhook).
 *
 * <p>CEL has no let-binding in the API server (no {@code cel.bind}), no regex replace and no hash: sub-expressions
 * are repeated, paths are compared as written when they are already normal (else the container is not
 * {@code native}: the native mutation leaves it alone and a hybrid install sends the pod to the webhook), and
 * volume names that Java would hash get a positional name instead.
 */
final class NativeCatalog {

    private final Catalog catalog;
    private final MutationConfig mutation;
    /** The distinct symlink sets of the entries: a container's mounts are canonicalised once per set ({@link #facts}). */
    private final List<Map<String, String>> linkSets = new ArrayList<>();

    NativeCatalog(Catalog catalog, MutationConfig mutation) {
        this.catalog = catalog;
        this.mutation = mutation;
        linkSets.add(Map.of());
        for (CatalogEntry e : catalog.entries()) {
            if (!linkSets.contains(e.symlinks())) {
                linkSets.add(e.symlinks());
            }
        }
    }

    /**
     * What the planner needs of the mounts of each container of {@code variables.pool}, computed once (CEL here has
     * no let-binding): {@code variables.facts[i]} lists, per mount, its path canonical under each symlink set
     * ({@code p0}, {@code p1}, …), whether it is writable ({@code w}) and whether its path is normal ({@code n}), as
     * strings ('' is false).
     */
    List<Variable> factVariables(String vols) {
        // First the path as written, tidied the way kubelet reads it (a trailing slash, "//", "/./"); ".." stays
        // unresolved and makes the container not native.
        String tidy = "m.mountPath.replace('/./', '/').replace('/./', '/').replace('//', '/').replace('//', '/')";
        tidy = "(" + tidy + ".endsWith('/.') ? " + tidy + ".substring(0, size(" + tidy + ") - 2) : " + tidy + ")";
        tidy = "(" + tidy + " != '/' && " + tidy + ".endsWith('/') ? " + tidy + ".substring(0, size(" + tidy + ") - 1) : " + tidy + ")";
        String first = "variables.pool.map(c, (has(c.volumeMounts) ? c.volumeMounts : []).map(m, {'r': " + tidy + ", 'w': "
                + writable("m", vols) + " ? 'y' : ''}))";
        StringBuilder second = new StringBuilder("variables.mountPaths.map(ms, ms.map(m, {'w': m.w, 'n': " + normal("m.r") + " ? 'y' : ''");
        for (int k = 0; k < linkSets.size(); k++) {
            second.append(", 'p").append(k).append("': ").append(canon("m.r", linkSets.get(k)));
        }
        return List.of(new Variable("mountPaths", first), new Variable("facts", second.append("}))").toString()));
    }

    /** A CEL variable of an admission policy. */
    record Variable(String name, String expression) {
    }

    /**
     * Variables that give every container of {@code variables.pool} (with {@code variables.poolNames} and
     * {@code variables.facts}, aligned with it) its plan in {@code variables.<result>}: for the i-th container of the
     * pool, the map {@code {entry, blocked, native, flag, mounts, seed, field, index, c}} ({@code full}), or only
     * whether the mutation makes it read-only ({@code !full}). One variable per catalog entry keeps each expression
     * under the API server's 100,000 code points.
     *
     * @param field CEL: the container's list in the pod spec; {@code index}: its index there
     */
    List<Variable> planVariables(String result, boolean full, String volumeNames, String containerNames, String field, String index) {
        String c = "c";
        String i = "variables.poolNames.indexOf(c.name)";
        String facts = "variables.facts[" + i + "]";
        List<Variable> out = new ArrayList<>();
        List<CatalogEntry> entries = entries();
        StringBuilder which = new StringBuilder();
        for (int k = 0; k < entries.size(); k++) {
            CatalogEntry e = entries.get(k);
            String match = e.images().isEmpty() ? "true" : String.join(" || ", e.images().stream()
                    .map(p -> c + ".image.matches(" + q(p.catalogRegex(catalog.mirrors())) + ")").toList());
            which.append("(").append(match).append(") ? ").append(k).append(" : ");
        }
        out.add(new Variable(result + "Entry", "variables.pool.map(c, " + which + "-1)"));
        String otherwise = full ? none(field, index) : "false";
        StringBuilder pick = new StringBuilder();
        for (int k = 0; k < entries.size(); k++) {
            CatalogEntry e = entries.get(k);
            EntryCel cel = entry(e.name(), e.paths(), e.symlinks(), e.shell(), e.requiredEnv(), c, facts, volumeNames, containerNames, field, index);
            String body = full ? "{'entry': dyn(" + q(e.name()) + "), 'blocked': dyn(" + cel.blocked + "), 'native': dyn(" + cel.nativeOk
                    + "), 'flag': dyn(" + cel.flag + "), 'mounts': dyn(" + cel.mounts + "), 'seed': dyn(" + cel.seed + "), 'field': dyn("
                    + field + "), 'index': dyn(" + index + "), 'c': dyn(" + c + ")}"
                    : "(!(" + cel.blocked + ") && " + cel.flag + ")";
            String name = result + "_" + e.name().replaceAll("[^A-Za-z0-9]", "_");
            out.add(new Variable(name, "variables.pool.map(c, variables." + result + "Entry[" + i + "] == " + k + " ? " + body + " : "
                    + otherwise + ")"));
            pick.append("variables.").append(result).append("Entry[").append(i).append("] == ").append(k).append(" ? variables.")
                    .append(name).append("[").append(i).append("] : ");
        }
        out.add(new Variable(result, "variables.pool.map(c, " + pick + otherwise + ")"));
        return out;
    }

    /** The entries in match order (the user's first), and all-images last when it is on (it matches every image). */
    private List<CatalogEntry> entries() {
        List<CatalogEntry> out = new ArrayList<>(catalog.entries());
        if (!catalog.allImages().isEmpty()) {
            out.add(new CatalogEntry("all-images", null, List.of(), catalog.allImages(), false, Map.of(), List.of(), List.of()));
        }
        return out;
    }

    /** One entry's reasoning about one container, as CEL pieces. */
    private record EntryCel(String name, String blocked, String nativeOk, String flag, String mounts, String seed) {
    }

    private static String none(String field, String index) {
        return "{'entry': dyn(''), 'blocked': dyn(false), 'native': dyn(true), 'flag': dyn(false), 'mounts': dyn([]), "
                + "'seed': dyn(''), 'field': dyn(" + field + "), 'index': dyn(" + index + "), 'c': dyn(null)}";
    }

    /** One resolved catalog path, as CEL over the container. */
    private final class PathExpr {
        final CatalogPath source;
        final int ordinal;
        final String applies;
        final String raw; // the mount path (as the plan writes it)
        final String canonical; // the path as the planner compares it
        final String moved; // CEL bool: a literal env/arg value moves it ("false" when it cannot)
        final String nativeOk;
        final String slug;
        final boolean literal;

        PathExpr(CatalogPath p, int ordinal, Map<String, String> symlinks, String c, String mounts, String key) {
            this.source = p;
            this.ordinal = ordinal;
            String literalPath = ImagePaths.canonical(p.path(), Map.of()); // as normalised, before symlinks
            String literalCanon = NativePolicies.quote(ImagePaths.canonical(p.path(), symlinks));
            String value = null;
            String present = "false";
            if (p.env() != null) {
                String match = "e.name == " + q(p.env()) + " && has(e.value) && e.value.startsWith('/')";
                present = "(has(" + c + ".env) && " + c + ".env.exists(e, " + match + "))";
                value = "string(" + c + ".env.filter(e, " + match + ")[0].value)";
            } else if (p.arg() != null) {
                // The flag as its own word followed by a path, or FLAG=path; compiled for one occurrence, the usual case.
                String w = words(c);
                String eqForm = w + ".filter(w, w.startsWith(" + q(p.arg() + "=/") + "))";
                String sepForm = w + ".indexOf(" + q(p.arg()) + ")";
                present = "(size(" + eqForm + ") > 0 || (" + sepForm + " >= 0 && " + sepForm + " + 1 < size(" + w + ") && "
                        + w + "[" + sepForm + " + 1].startsWith('/')))";
                value = "string(size(" + eqForm + ") > 0 ? " + eqForm + "[0].substring(" + (p.arg().length() + 1) + ") : " + w + "["
                        + sepForm + " + 1])";
            }
            this.literal = value == null;
            this.moved = present;
            if (literal) {
                this.raw = q(literalPath);
                this.canonical = literalCanon;
                this.nativeOk = "true";
                this.slug = q(VolumeNames.slug(literalPath));
            } else {
                this.raw = "(" + present + " ? " + value + " : " + q(literalPath) + ")";
                this.canonical = "(" + present + " ? " + canon(value, symlinks) + " : " + literalCanon + ")";
                String runtimeSlug = value + ".substring(1).replace('/', '-').replace('.', '-').replace('_', '-').lowerAscii()";
                this.slug = "(" + present + " ? " + runtimeSlug + " : " + q(VolumeNames.slug(literalPath)) + ")";
                this.nativeOk = "(!" + present + " || (" + normal(value) + " && " + runtimeSlug + ".matches('^[a-z0-9]+(-[a-z0-9]+)*$')"
                        + " && (size(" + eqFormOrEnvCount(p, c) + ") <= 1)))";
            }
            this.applies = "(" + tagCondition(p, c) + " && " + containerCondition(p, c, mounts, key, symlinks) + ")";
        }
    }

    private static String eqFormOrEnvCount(CatalogPath p, String c) {
        if (p.env() != null) {
            return "(has(" + c + ".env) ? " + c + ".env.filter(e, e.name == " + q(p.env()) + ") : [])";
        }
        return words(c) + ".filter(w, w == " + q(p.arg()) + " || w.startsWith(" + q(p.arg() + "=") + "))";
    }

    private EntryCel entry(String name, List<CatalogPath> paths, Map<String, String> symlinks, boolean shell,
                             List<String> requiredEnv, String c, String facts, String volumeNames, String containerNames,
                             String field, String index) {
        for (Map.Entry<String, String> link : symlinks.entrySet()) {
            for (String from : symlinks.keySet()) {
                if (link.getValue().equals(from) || link.getValue().startsWith(from + "/")) {
                    throw new IllegalArgumentException("catalog entry " + name + ": chained symlinks are not compiled to CEL");
                }
            }
        }
        String mounts = facts;
        String key = "p" + linkSets.indexOf(symlinks);
        List<PathExpr> all = new ArrayList<>();
        for (int i = 0; i < paths.size(); i++) {
            all.add(new PathExpr(paths.get(i), i, symlinks, c, mounts, key));
        }
        List<String> blocks = new ArrayList<>();
        for (String env : requiredEnv) {
            blocks.add("!(has(" + c + ".env) && " + c + ".env.exists(e, e.name == " + q(env) + "))");
        }
        for (PathExpr p : all) {
            String b = switch (p.source.type()) {
                case DATA -> (p.source.env() != null ? "(!" + p.moved + " && has(" + c + ".env) && " + c + ".env.exists(e, e.name == "
                        + q(p.source.env()) + " && has(e.valueFrom))) || " : "") + "!" + holds(mounts, key, p.canonical);
                case OBSOLETE -> "!" + p.moved + " && " + occupied(mounts, key, p.canonical);
                case SCRATCH -> "!" + covers(mounts, key, p.canonical) + " && " + readOnlyAbove(mounts, key, p.canonical);
                // No shell in the image: nothing can copy what it ships, so an uncovered seeded path blocks.
                case SEEDED -> "!" + covers(mounts, key, p.canonical) + " && (" + (shell ? "" : "true || ")
                        + readOnlyAbove(mounts, key, p.canonical) + " || !" + p.raw + ".matches('^/[A-Za-z0-9._/-]*$'))";
            };
            blocks.add("(" + p.applies + " && (" + b + "))");
        }
        String blocked = blocks.isEmpty() ? "false" : String.join(" || ", blocks);

        // The mounts the plan adds, in catalog order; a later path under (or over) an added one is covered by it.
        List<PathExpr> volumes = all.stream().filter(p -> p.source.type() == PathType.SCRATCH || p.source.type() == PathType.SEEDED).toList();
        List<String> adds = new ArrayList<>();
        List<String> items = new ArrayList<>();
        for (int k = 0; k < volumes.size(); k++) {
            PathExpr p = volumes.get(k);
            StringBuilder add = new StringBuilder("(" + p.applies + " && !" + covers(mounts, key, p.canonical)
                    + " && !" + occupied(mounts, key, p.canonical));
            for (int j = 0; j < k; j++) {
                PathExpr earlier = volumes.get(j);
                if (p.literal && earlier.literal && !relatedPaths(unq(earlier.canonical), unq(p.canonical))) {
                    continue;
                }
                add.append(" && !(").append(adds.get(j)).append(" && ").append(related(earlier.canonical, p.canonical)).append(")");
            }
            add.append(")");
            adds.add(add.toString());
            Catalog.Resolved r = catalog.resolved(p.source);
            String readable = "'rofs-' + " + containerSlug(c) + " + '-' + " + p.slug;
            String fallback = "'rofs-' + " + field + ".substring(0, 1) + string(" + index + ") + '-" + p.ordinal + "'";
            String volumeName = "(size(" + readable + ") <= 63 && !(" + readable + " in " + volumeNames + ") ? " + readable + " : " + fallback + ")";
            items.add("(" + add + " ? [{'path': " + p.raw + ", 'canonical': " + p.canonical + ", 'medium': " + q(r.medium() == null ? "" : r.medium())
                    + ", 'sizeLimit': " + q(r.sizeLimit()) + ", 'seeded': " + (p.source.type() == PathType.SEEDED ? "'y'" : "''")
                    + ", 'name': " + volumeName + "}] : [])");
        }
        String added = items.isEmpty() ? "[]" : String.join(" + ", items);
        List<String> nativeOks = all.stream().filter(p -> !p.literal).map(p -> "(!" + p.applies + " || " + p.nativeOk + ")").toList();
        String mountsNormal = mounts + ".all(m, m.n != '')";
        String nativeOk = "(" + mountsNormal + (nativeOks.isEmpty() ? "" : " && " + String.join(" && ", nativeOks)) + ")";
        String flag = mutation.setReadOnlyRootFilesystem()
                ? "(!has(" + c + ".securityContext) || !has(" + c + ".securityContext.readOnlyRootFilesystem))" : "false";
        String seedReadable = "'" + dev.rofsguard.mutation.PatchPlanner.SEED_PREFIX + "' + " + containerSlug(c);
        String seed = "(size(" + seedReadable + ") <= 63 && !(" + seedReadable + " in " + containerNames + ") ? " + seedReadable + " : '"
                + dev.rofsguard.mutation.PatchPlanner.SEED_PREFIX + "' + " + field + ".substring(0, 1) + string(" + index + "))";
        return new EntryCel(name, blocked, nativeOk, flag, added, seed);
    }

    /** VolumeNames.slug of a container name (a DNS label): itself, unless it has a run of dashes. */
    private static String containerSlug(String c) {
        return "(" + c + ".name.contains('--') ? " + c + ".name.split('-').filter(x, x != '').join('-') : " + c + ".name)";
    }

    /** The container's command and args, the words the catalog's flag conditions read. */
    static String words(String c) {
        return "((has(" + c + ".command) ? " + c + ".command : []) + (has(" + c + ".args) ? " + c + ".args : []))";
    }

    /** Conditions on the image's tag ({@link CatalogPath#appliesTo(dev.rofsguard.image.ImageReference)}). */
    private static String tagCondition(CatalogPath p, String c) {
        String tag = c + ".image.split('@')[0].find(':[\\\\w][\\\\w.-]*$')"; // ':1.25', or '' without a tag
        List<String> terms = new ArrayList<>();
        if (p.tag() != null) {
            terms.add("(" + tag + " != '' && " + tag + ".substring(1).matches(" + q("^" + CatalogPath.globRegex(p.tag()) + "$") + "))");
        }
        if (p.unlessTag() != null) {
            terms.add("!(" + tag + " != '' && " + tag + ".substring(1).matches(" + q("^" + CatalogPath.globRegex(p.unlessTag()) + "$") + "))");
        }
        if (p.majorAtLeast() != null || p.majorBelow() != null) {
            String major = "(" + tag + " == '' ? '' : " + tag + ".substring(1).find('^[0-9]{1,9}'))";
            if (p.majorAtLeast() != null) {
                terms.add("(" + major + " == '' || int(" + major + ") >= " + p.majorAtLeast() + ")");
            }
            if (p.majorBelow() != null) {
                terms.add("(" + major + " != '' && int(" + major + ") < " + p.majorBelow() + ")");
            }
        }
        return terms.isEmpty() ? "true" : String.join(" && ", terms);
    }

    /** Conditions on the container ({@link CatalogPath#appliesTo(com.fasterxml.jackson.databind.JsonNode)}, ifMounted). */
    private static String containerCondition(CatalogPath p, String c, String mounts, String key, Map<String, String> symlinks) {
        List<String> terms = new ArrayList<>();
        if (p.ifArg() != null) {
            terms.add(words(c) + ".exists(w, " + isArg("w", p.ifArg()) + ")");
        }
        if (p.unlessArg() != null) {
            terms.add("!" + words(c) + ".exists(w, " + isArg("w", p.unlessArg()) + ")");
        }
        if (p.ifEnv() != null) {
            terms.add(envMeets(c, p.ifEnv()));
        }
        if (p.unlessEnv() != null) {
            terms.add("!" + envMeets(c, p.unlessEnv()));
        }
        if (p.ifMounted() != null) {
            String at = q(ImagePaths.canonical(p.ifMounted(), symlinks));
            terms.add(mounts + ".exists(m, " + related("m." + key, at) + ")");
        }
        return terms.isEmpty() ? "true" : String.join(" && ", terms);
    }

    private static String isArg(String w, String flag) {
        return w + " == " + q(flag) + " || " + w + ".startsWith(" + q(flag + "=") + ")"
                + (flag.startsWith("-") ? " || " + w + ".startsWith(" + q(flag + ".") + ")" : "");
    }

    private static String envMeets(String c, String condition) {
        int eq = condition.indexOf('=');
        String name = eq < 0 ? condition : condition.substring(0, eq);
        String test = "e.name == " + q(name);
        if (eq >= 0) {
            // Java splits the value on whitespace and commas; CEL has no regex split, so pad and search.
            test += " && has(e.value) && (' ' + e.value.replace(',', ' ').replace('\\t', ' ').replace('\\n', ' ').replace('\\r', ' ') + ' ')"
                    + ".contains(" + q(" " + condition.substring(eq + 1) + " ") + ")";
        }
        return "(has(" + c + ".env) && " + c + ".env.exists(e, " + test + "))";
    }

    /** A mount path with the image's symlinks resolved (one hop; the path itself must be normal). */
    private static String canon(String path, Map<String, String> symlinks) {
        String out = path;
        for (Map.Entry<String, String> link : new TreeMap<>(symlinks).entrySet()) {
            String from = link.getKey();
            out = "((" + path + " == " + q(from) + " || " + path + ".startsWith(" + q(from + "/") + ")) ? " + q(link.getValue()) + " + "
                    + path + ".substring(" + from.length() + ") : " + out + ")";
        }
        return out;
    }

    /** A path with no empty, {@code .} or {@code ..} component and no trailing slash (or "/"). */
    private static String normal(String path) {
        return "(" + path + " == '/' || (" + path + ".matches('^(/[^/]+)+$') && !" + path + ".matches('/\\\\.\\\\.?(/|$)')))";
    }

    private static String writable(String m, String vols) {
        return "(!(has(" + m + ".readOnly) && " + m + ".readOnly) && !has(" + m + ".subPath) && !has(" + m + ".subPathExpr) && !"
                + vols + ".exists(v, v.name == " + m + ".name && (has(v.configMap) || has(v.secret) || has(v.projected) || "
                + "has(v.downwardAPI) || has(v.image) || (has(v.persistentVolumeClaim) && has(v.persistentVolumeClaim.readOnly) "
                + "&& v.persistentVolumeClaim.readOnly))))";
    }

    private static String atOrAbove(String mountCanon, String p) {
        return "(" + mountCanon + " == " + p + " || " + p + ".startsWith(" + mountCanon + " == '/' ? '/' : " + mountCanon + " + '/'))";
    }

    private static String related(String a, String b) {
        return "(" + a + " == " + b + " || " + b + ".startsWith(" + a + " == '/' ? '/' : " + a + " + '/') || " + a + ".startsWith(" + b + " + '/'))";
    }

    private static boolean relatedPaths(String a, String b) {
        return a.equals(b) || b.startsWith(a.equals("/") ? "/" : a + "/") || a.startsWith(b + "/");
    }

    private static String holds(String facts, String key, String p) {
        return facts + ".exists(m, m.w != '' && " + atOrAbove("m." + key, p) + ")";
    }

    private static String covers(String facts, String key, String p) {
        return facts + ".exists(m, m.w != '' && " + related("m." + key, p) + ")";
    }

    private static String occupied(String facts, String key, String p) {
        return facts + ".exists(m, m." + key + " == " + p + ")";
    }

    private static String readOnlyAbove(String facts, String key, String p) {
        return facts + ".exists(m, m.w == '' && " + atOrAbove("m." + key, p) + ")";
    }

    private static String q(String s) {
        return NativePolicies.quote(s);
    }

    private static String unq(String quoted) {
        return quoted.substring(1, quoted.length() - 1).replace("\\'", "'").replace("\\\\", "\\");
    }
}

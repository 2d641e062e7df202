package dev.rofsguard.discover;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Proposes the writable paths of an image from what it wrote: {@code docker diff} / {@code podman diff} output
 * ({@code A /path}, {@code C /path}, {@code D /path}) and container logs with "Read-only file system" errors. Paths
 * are collapsed to the directory that needs a mount and classified scratch or data. Pure: text (and what is known
 * about the image) in, proposal out.
 *
 * A mount hides what the image ships at its path, so a directory with shipped files is never proposed: it is
 * refused with the reason (seed it, or point the program elsewhere). A mount path is always a directory.
 */
public final class Discovery {

    /** A directory to mount, and why: the lines that showed the writes, and the catalog entry that knew it. */
    public record Proposal(String path, String type, List<String> evidence, String knownFrom) {
        public Proposal {
            evidence = List.copyOf(evidence);
        }
    }

    /** A written directory that must not be mounted over, and why. */
    public record Refusal(String path, String reason, List<String> evidence) {
        public Refusal {
            evidence = List.copyOf(evidence);
        }
    }

    public record Result(List<Proposal> proposals, List<Refusal> refusals) {
        public Result {
            proposals = List.copyOf(proposals);
            refusals = List.copyOf(refusals);
        }
    }

    /** A path a catalog entry knows, to be preferred over a guessed directory when it covers a write. */
    public record KnownPath(String path, String type, String entry) {
    }

    /**
     * What is known beyond the text. {@code image} is null when nothing is known of the image's files (text mode):
     * then a changed ({@code C}) file in a diff is taken as shipped.
     */
    public record Context(ImageFiles image, Set<String> volumes, List<KnownPath> known) {
        public static final Context NONE = new Context(null, Set.of(), List.of());
    }

    // Directories that are scratch by convention; a write below one is mounted at the root (or, for /var/cache and
    // /var/log, at the program's own directory under it).
    private static final List<String> SCRATCH_ROOTS = List.of("/tmp", "/var/tmp", "/run", "/var/run", "/var/cache", "/var/log");
    private static final Set<String> PER_PROGRAM_ROOTS = Set.of("/var/cache", "/var/log");
    // Where databases keep what must survive restarts.
    private static final List<String> DATA_DIRS = List.of("/var/lib/postgresql", "/var/lib/mysql", "/var/lib/mongodb",
            "/var/lib/redis", "/var/lib/rabbitmq", "/var/lib/elasticsearch", "/var/lib/cassandra", "/data", "/srv");
    // Files that are a database's, wherever they are written.
    private static final Pattern DATA_FILE = Pattern.compile(
            "(?i).*(\\.(db|sqlite3?|rdb|aof|mdb|ldb|ibd|wal|frm)|/ibdata\\d*|/PG_VERSION|/appendonly[^/]*|/dump\\.rdb)$");
    // Files the engine itself puts in every container: not the program's writes.
    private static final Set<String> ENGINE_FILES = Set.of("/etc/hosts", "/etc/hostname", "/etc/resolv.conf",
            "/run/.containerenv", "/.dockerenv", "/run/secrets", "/etc/mtab");

    private static final Pattern DIFF = Pattern.compile("^\\s*([ACD])\\s+(/\\S*)\\s*$");
    private static final String EROFS = "(?:Read-only file system|read-only file system)";
    private static final List<Pattern> LOG_PATTERNS = List.of(
            // nginx: open() "/var/cache/nginx/client_temp" failed (30: Read-only file system)
            Pattern.compile("\"(/[^\"]+)\" failed \\(30: Read-only file system\\)"),
            // redis: Failed opening the temp RDB file temp-1.rdb (in server root dir /data) for saving: Read-only file system
            Pattern.compile("file (?<file>[^\\s/]+) \\(in server root dir (?<dir>/[^)]*)\\)[^\\n]*Read-only file system"),
            // Python: OSError: [Errno 30] Read-only file system: '/app/cache'
            Pattern.compile("\\[Errno 30\\] Read-only file system: '(/[^']+)'"),
            // postgres: could not create lock file "/var/run/postgresql/.s.PGSQL.5432.lock": Read-only file system
            Pattern.compile("could not (?:create|open|write)[^\"]*\"(/[^\"]+)\"[^\\n]*Read-only file system"),
            // node: Error: EROFS: read-only file system, open '/app/.cache/x'
            Pattern.compile("EROFS: read-only file system, \\w+ '(/[^']+)'"),
            // Go: open /data/x.db: read-only file system; mkdir /var/cache/app: read-only file system
            Pattern.compile("(?:open|mkdir|create|rename|remove|chmod|symlink|link|lstat|stat|write) (/[^\\s:\"']+): read-only file system"),
            // JVM: java.io.IOException / FileSystemException: /tmp/x: Read-only file system
            Pattern.compile("(?:Exception|Error): (/[^\\s:]+)(?: \\([^)]*\\))?: Read-only file system"),
            Pattern.compile("(/[^\\s:\"']+): " + EROFS),
            // generic: mkdir: can't create directory '/x': Read-only file system
            Pattern.compile("'(/[^']+)'[^\\n]*" + EROFS));

    private Discovery() {
    }

    /** The read-only errors in logs, as the paths written, in order (for the discovery loop's "anything new?"). */
    public static List<String> erofsPaths(String logs) {
        List<String> paths = new ArrayList<>();
        for (String line : logs.split("\\R")) {
            fromLog(line).ifPresent(paths::add);
        }
        return paths;
    }

    /** @param text diff output or log lines (both may be mixed) */
    public static List<Proposal> propose(String text) {
        return propose(text, Context.NONE).proposals();
    }

    public static Result propose(String text, Context ctx) {
        // docker diff lists every changed directory on the way down ("C /var", "C /var/cache"): only leaves count.
        TreeSet<String> diffPaths = new TreeSet<>();
        for (String line : text.split("\\R")) {
            Matcher diff = DIFF.matcher(line);
            if (diff.matches() && !diff.group(1).equals("D")) {
                diffPaths.add(diff.group(2));
            }
        }
        Map<String, List<String>> candidates = new LinkedHashMap<>();
        Map<String, String> knownFrom = new LinkedHashMap<>();
        Map<String, List<String>> written = new LinkedHashMap<>(); // candidate -> the written paths it covers
        Map<String, String> refused = new LinkedHashMap<>();
        for (String line : text.split("\\R")) {
            String path;
            boolean shippedFile = false;
            Matcher diff = DIFF.matcher(line);
            if (diff.matches()) {
                path = strip(diff.group(2));
                if (diff.group(1).equals("D") || ENGINE_FILES.contains(path)) {
                    continue; // a deletion needs no writable mount of its own; the engine's own files are not the program's
                }
                String next = diffPaths.higher(path);
                if (next != null && next.startsWith(path + "/")) {
                    continue; // a directory with changed entries below it
                }
                if (diff.group(1).equals("C")) {
                    if (ctx.image() != null && ctx.image().isDirectory(path)) {
                        continue; // a directory's own metadata (the engine's bind mounts change /etc's)
                    }
                    shippedFile = true; // a file the image ships, changed in place
                }
            } else {
                Optional<String> p = fromLog(line);
                if (p.isEmpty()) {
                    continue;
                }
                path = strip(p.get());
            }
            if (path.equals("/")) {
                continue;
            }
            String dir = known(path, ctx).map(KnownPath::path).orElseGet(() -> directoryFor(path));
            known(path, ctx).ifPresent(k -> knownFrom.put(k.path(), k.entry()));
            if (shippedFile && ctx.image() == null) {
                dir = parent(path);
                refused.putIfAbsent(dir, path + " is a file the image ships, changed in place: a mount at " + dir
                        + " would hide it and its neighbours; seed the directory from the image or point the program elsewhere");
            }
            candidates.computeIfAbsent(dir, d -> new ArrayList<>()).add(line.trim());
            written.computeIfAbsent(dir, d -> new ArrayList<>()).add(path);
        }
        // What may not be mounted: a directory with shipped files below it.
        TreeSet<String> sorted = new TreeSet<>(candidates.keySet());
        for (String d : sorted) {
            if (!refused.containsKey(d) && ctx.image() != null) {
                List<String> shipped = ctx.image().shippedBelow(d, 3);
                if (!shipped.isEmpty()) {
                    refused.put(d, "the image ships files at " + d + " (" + String.join(", ", shipped)
                            + "): a mount would hide them; seed the directory from the image or point the program elsewhere");
                }
            }
        }
        // Collapse: drop a directory when one of its parents is mounted too (a refused parent covers nothing).
        List<Proposal> proposals = new ArrayList<>();
        List<Refusal> refusals = new ArrayList<>();
        for (String d : sorted) {
            boolean covered = sorted.stream().anyMatch(p -> !p.equals(d) && d.startsWith(p + "/") && !refused.containsKey(p));
            if (covered) {
                continue;
            }
            List<String> evidence = new ArrayList<>();
            List<String> paths = new ArrayList<>();
            candidates.forEach((k, v) -> {
                if (k.equals(d) || (k.startsWith(d + "/") && !refused.containsKey(d))) {
                    evidence.addAll(v);
                    paths.addAll(written.get(k));
                }
            });
            if (refused.containsKey(d)) {
                refusals.add(new Refusal(d, refused.get(d), evidence));
            } else {
                proposals.add(new Proposal(d, classify(d, paths, ctx), evidence, knownFrom.get(d)));
            }
        }
        return new Result(proposals, refusals);
    }

    static Optional<String> fromLog(String line) {
        for (Pattern p : LOG_PATTERNS) {
            Matcher m = p.matcher(line);
            if (m.find()) {
                if (p.pattern().contains("(?<dir>")) {
                    return Optional.of(strip(m.group("dir")) + "/" + m.group("file"));
                }
                return Optional.of(m.group(1));
            }
        }
        return Optional.empty();
    }

    /** The most specific catalog path that covers a written path. */
    private static Optional<KnownPath> known(String path, Context ctx) {
        KnownPath best = null;
        for (KnownPath k : ctx.known()) {
            if ((path.equals(k.path()) || path.startsWith(k.path() + "/"))
                    && (best == null || k.path().length() > best.path().length())) {
                best = k;
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * The directory to mount for a written path (a file, or a directory the program creates; a diff or an error
     * cannot tell which, so the parent is used, which is the safe side): under a conventional scratch root, that
     * root (or, under /var/cache and /var/log, the program's own directory such as /var/cache/nginx); otherwise the
     * parent. Never the written path itself: /var/log/app.log gives /var/log, not a file as a mount path.
     */
    static String directoryFor(String path) {
        String p = strip(path);
        for (String root : SCRATCH_ROOTS) {
            if (p.equals(root)) {
                return root;
            }
            if (p.startsWith(root + "/")) {
                String rest = p.substring(root.length() + 1);
                int slash = rest.indexOf('/');
                if (PER_PROGRAM_ROOTS.contains(root) && slash > 0) {
                    return root + "/" + rest.substring(0, slash);
                }
                return root;
            }
        }
        return parent(p);
    }

    private static String parent(String p) {
        int slash = p.lastIndexOf('/');
        return slash <= 0 ? "/" : p.substring(0, slash);
    }

    private static String strip(String path) {
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    /**
     * Data when it must survive restarts: an image VOLUME, a catalog data path, a database's directory, or a
     * database's files written there. Everything else written at run time is scratch.
     */
    static String classify(String dir, List<String> written, Context ctx) {
        for (String v : ctx.volumes()) {
            String volume = strip(v);
            if (dir.equals(volume) || dir.startsWith(volume + "/") || volume.startsWith(dir + "/")) {
                return "data";
            }
        }
        for (KnownPath k : ctx.known()) {
            if (k.path().equals(dir)) {
                return k.type();
            }
        }
        for (String d : DATA_DIRS) {
            if (dir.equals(d) || dir.startsWith(d + "/")) {
                return "data";
            }
        }
        for (String w : written) {
            if (DATA_FILE.matcher(w).matches()) {
                return "data";
            }
        }
        return "scratch";
    }

    public static String yamlString(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** The image as a catalog pattern: its repository, any tag (the entry is about the program, not one build). */
    public static String pattern(String image) {
        String s = image;
        int at = s.indexOf('@');
        if (at >= 0) {
            s = s.substring(0, at);
        }
        int colon = s.lastIndexOf(':');
        if (colon > s.lastIndexOf('/')) {
            s = s.substring(0, colon);
        }
        return s.toLowerCase(Locale.ROOT);
    }
}

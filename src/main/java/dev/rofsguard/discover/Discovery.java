package dev.rofsguard.discover;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Proposes the writable paths of an image from what it wrote: {@code docker diff} / {@code podman diff} output
 * ({@code A /path}, {@code C /path}, {@code D /path}) or container logs with "Read-only file system" errors. Paths
 * are collapsed to the directory that needs a mount and classified scratch or data. Pure: text in, proposal out.
 */
public final class Discovery {

    /** A directory to mount, and why. */
    public record Proposal(String path, String type, List<String> evidence) {
    }

    // Where a program writes that must survive restarts: databases and message stores.
    private static final List<String> DATA_HINTS = List.of("/var/lib/", "/data", "/srv/");
    // Directories that are scratch by convention.
    private static final List<String> SCRATCH_ROOTS = List.of("/tmp", "/var/tmp", "/run", "/var/run", "/var/cache", "/var/log");

    private static final Pattern DIFF = Pattern.compile("^\\s*([ACD])\\s+(/\\S*)\\s*$");
    private static final List<Pattern> LOG_PATTERNS = List.of(
            // nginx: open() "/var/cache/nginx/client_temp" failed (30: Read-only file system)
            Pattern.compile("\"(/[^\"]+)\" failed \\(30: Read-only file system\\)"),
            // postgres: could not create lock file "/var/run/postgresql/.s.PGSQL.5432.lock": Read-only file system
            Pattern.compile("could not (?:create|open|write)[^\"]*\"(/[^\"]+)\"[^\\n]*Read-only file system"),
            // node: Error: EROFS: read-only file system, open '/app/.cache/x'
            Pattern.compile("EROFS: read-only file system, \\w+ '(/[^']+)'"),
            // JVM: java.io.IOException / FileSystemException: /tmp/x: Read-only file system
            Pattern.compile("(?:Exception|Error): (/[^\\s:]+)(?: \\([^)]*\\))?: Read-only file system"),
            Pattern.compile("(/[^\\s:\"']+): Read-only file system"),
            // generic: mkdir: can't create directory '/x': Read-only file system
            Pattern.compile("'(/[^']+)'[^\\n]*Read-only file system"));

    private Discovery() {
    }

    /** @param text diff output or log lines (both may be mixed) */
    public static List<Proposal> propose(String text) {
        Map<String, List<String>> dirs = new LinkedHashMap<>();
        // docker diff lists every changed directory on the way down ("C /var", "C /var/cache"): only leaves count.
        TreeSet<String> diffPaths = new TreeSet<>();
        for (String line : text.split("\\R")) {
            Matcher diff = DIFF.matcher(line);
            if (diff.matches() && !diff.group(1).equals("D")) {
                diffPaths.add(diff.group(2));
            }
        }
        for (String line : text.split("\\R")) {
            String path = null;
            Matcher diff = DIFF.matcher(line);
            if (diff.matches()) {
                if (diff.group(1).equals("D")) {
                    continue; // a deletion needs no writable mount of its own
                }
                path = diff.group(2);
                String prefix = path + "/";
                String next = diffPaths.higher(path);
                if (next != null && next.startsWith(prefix)) {
                    continue; // a directory with changed entries below it
                }
            } else {
                for (Pattern p : LOG_PATTERNS) {
                    Matcher m = p.matcher(line);
                    if (m.find()) {
                        path = m.group(1);
                        break;
                    }
                }
            }
            if (path == null || path.equals("/")) {
                continue;
            }
            String dir = directoryFor(path, diff.matches());
            dirs.computeIfAbsent(dir, d -> new ArrayList<>()).add(line.trim());
        }
        // Collapse: drop a directory when one of its parents is proposed too.
        TreeSet<String> sorted = new TreeSet<>(dirs.keySet());
        List<Proposal> proposals = new ArrayList<>();
        for (String d : sorted) {
            boolean covered = sorted.stream().anyMatch(p -> !p.equals(d) && d.startsWith(p + "/"));
            if (!covered) {
                List<String> evidence = new ArrayList<>();
                dirs.forEach((k, v) -> {
                    if (k.equals(d) || k.startsWith(d + "/")) {
                        evidence.addAll(v);
                    }
                });
                proposals.add(new Proposal(d, classify(d), evidence));
            }
        }
        return proposals;
    }

    /**
     * The directory to mount for a written path: under a conventional scratch root, that root's first level (e.g.
     * /var/cache/nginx); otherwise the file's directory. A diff entry that names a directory itself ("A /x/dir")
     * cannot be told from a file, so the parent is used, which is the safe side.
     */
    static String directoryFor(String path, boolean fromDiff) {
        String p = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
        for (String root : SCRATCH_ROOTS) {
            if (p.equals(root)) {
                return root;
            }
            if (p.startsWith(root + "/")) {
                if (root.equals("/var/cache") || root.equals("/var/log")) {
                    String rest = p.substring(root.length() + 1);
                    int slash = rest.indexOf('/');
                    return root + "/" + (slash < 0 ? rest : rest.substring(0, slash));
                }
                return root;
            }
        }
        int slash = p.lastIndexOf('/');
        return slash <= 0 ? p : p.substring(0, slash);
    }

    static String classify(String dir) {
        for (String root : SCRATCH_ROOTS) {
            if (dir.equals(root) || dir.startsWith(root + "/")) {
                return "scratch";
            }
        }
        for (String hint : DATA_HINTS) {
            if (dir.startsWith(hint) || dir.equals(hint.endsWith("/") ? hint.substring(0, hint.length() - 1) : hint)) {
                return "data";
            }
        }
        return "scratch";
    }

    /** A catalog entry for the policy file, and the pod-spec snippet. */
    public static String render(String name, String image, List<Proposal> proposals) {
        StringBuilder s = new StringBuilder("# catalog entry (policy file, under catalog.entries); review each path before use:\n");
        s.append("- name: ").append(name).append("\n  reason: discovered from what the image wrote\n  images: [")
                .append(image).append("]\n  paths:\n");
        for (Proposal p : proposals) {
            s.append("    - {path: ").append(p.path()).append(", type: ").append(p.type()).append("}\n");
        }
        s.append("\n# pod spec snippet:\ncontainers:\n  - name: ").append(name).append("\n    image: ").append(image)
                .append("\n    securityContext:\n      readOnlyRootFilesystem: true\n    volumeMounts:\n");
        StringBuilder volumes = new StringBuilder("volumes:\n");
        int i = 0;
        for (Proposal p : proposals) {
            String volume = (p.type().equals("data") ? "data-" : "scratch-") + i++;
            s.append("      - {name: ").append(volume).append(", mountPath: ").append(p.path()).append("}\n");
            volumes.append(p.type().equals("data")
                    ? "  - {name: " + volume + ", persistentVolumeClaim: {claimName: " + name + "-" + volume + "}}  # data: must survive restarts\n"
                    : "  - {name: " + volume + ", emptyDir: {sizeLimit: 128Mi}}\n");
        }
        return s.append(volumes).toString();
    }
}

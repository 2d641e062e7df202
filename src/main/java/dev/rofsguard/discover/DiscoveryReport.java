package dev.rofsguard.discover;

import java.util.ArrayList;
import java.util.List;

/**
 * Renders a discovery: the catalog entry (the format of catalog.yaml, evidence as comments so that the entry loads
 * as it is), the pod-spec snippet and the docker/podman run flags. Data paths get a volume that survives restarts,
 * never a tmpfs or an emptyDir.
 */
public final class DiscoveryReport {

    /** Scratch tmpfs size: the catalog's default sizeLimit (128Mi), in docker's units. */
    static final String TMPFS_SIZE = "128m";

    private DiscoveryReport() {
    }

    /** The run flags for a scratch path: nothing executes from a scratch directory, and no set-uid bit counts there. */
    public static String tmpfs(String path) {
        return path + ":rw,noexec,nosuid,size=" + TMPFS_SIZE;
    }

    /** The flags for one engine, as separate arguments (for a program) — data paths as named volumes. */
    public static List<String> runFlags(String engine, String name, Discovery.Result result) {
        List<String> flags = new ArrayList<>(List.of("--read-only"));
        if (engine.equals("podman")) {
            // podman's --read-only would also mount tmpfs at /run, /tmp and /var/tmp; only the proposed mounts count.
            flags.add("--read-only-tmpfs=false");
        }
        for (Discovery.Proposal p : result.proposals()) {
            if (p.type().equals("data")) {
                flags.add("-v");
                flags.add(volumeName(name, p.path()) + ":" + p.path());
            } else {
                flags.add("--tmpfs");
                flags.add(tmpfs(p.path()));
            }
        }
        return flags;
    }

    static String volumeName(String name, String path) {
        String tail = path.substring(path.lastIndexOf('/') + 1).replaceAll("[^a-zA-Z0-9_.-]", "-");
        return name + "-" + (tail.isEmpty() ? "data" : tail);
    }

    public static String render(String name, String image, Discovery.Result result, String provenance) {
        StringBuilder s = new StringBuilder();
        s.append("# catalog entry (policy file, under catalog.entries); review each path before use:\n");
        s.append("- name: ").append(name).append('\n');
        s.append("  reason: ").append(Discovery.yamlString("discovered: " + provenance)).append('\n');
        s.append("  images: [").append(Discovery.yamlString(Discovery.pattern(image))).append("]\n");
        s.append("  paths:\n");
        for (Discovery.Proposal p : result.proposals()) {
            String why = (p.knownFrom() != null ? "known to catalog entry " + p.knownFrom() + "; " : "")
                    + "written: " + p.evidence().size() + " line(s) of evidence below";
            s.append("    - {path: ").append(p.path()).append(", type: ").append(p.type()).append(", reason: ")
                    .append(Discovery.yamlString(why)).append("}\n");
        }
        s.append("  # evidence (errors and diff lines):\n");
        for (Discovery.Proposal p : result.proposals()) {
            for (String e : p.evidence()) {
                s.append("  #   ").append(p.path()).append(" <- ").append(e).append('\n');
            }
        }
        for (Discovery.Refusal r : result.refusals()) {
            s.append("  # not proposed: ").append(r.path()).append(": ").append(r.reason()).append('\n');
            for (String e : r.evidence()) {
                s.append("  #   ").append(r.path()).append(" <- ").append(e).append('\n');
            }
        }

        s.append("\n# pod spec snippet:\ncontainers:\n  - name: ").append(name).append("\n    image: ").append(image)
                .append("\n    securityContext:\n      readOnlyRootFilesystem: true\n    volumeMounts:\n");
        StringBuilder volumes = new StringBuilder("volumes:\n");
        int i = 0;
        for (Discovery.Proposal p : result.proposals()) {
            String volume = (p.type().equals("data") ? "data-" : "scratch-") + i++;
            s.append("      - {name: ").append(volume).append(", mountPath: ").append(p.path()).append("}\n");
            volumes.append(p.type().equals("data")
                    ? "  - {name: " + volume + ", persistentVolumeClaim: {claimName: " + volumeName(name, p.path()) + "}}  # data: must survive restarts\n"
                    : "  - {name: " + volume + ", emptyDir: {sizeLimit: 128Mi}}\n");
        }
        s.append(volumes);

        s.append("\n# docker run flags:\n").append(String.join(" ", quoted(runFlags("docker", name, result))));
        s.append("\n# podman run flags:\n").append(String.join(" ", quoted(runFlags("podman", name, result)))).append('\n');
        return s.toString();
    }

    private static List<String> quoted(List<String> args) {
        return args.stream().map(a -> a.matches("[A-Za-z0-9_./:=,+-]+") ? a : "'" + a.replace("'", "'\\''") + "'").toList();
    }
}

package dev.rofsguard.containers;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * A Kubernetes pod spec run as a podman pod, the way a kubelet would run it, for the fields rofs-guard's plans use:
 * init containers ({@code --init-ctr once}, run in order before the app starts), emptyDir volumes as podman volumes
 * shared by the pod's containers, ConfigMap volumes as read-only bind mounts, {@code readOnlyRootFilesystem} as
 * {@code --read-only --read-only-tmpfs=false --image-volume=ignore}, and the security context. A field it does not
 * translate fails the translation, so that a test never runs something other than the spec it was given.
 *
 * <p>Two differences from a kubelet, both on the side of finding faults: an emptyDir is mounted {@code nocopy} (a new
 * podman volume would otherwise be filled with the image's files at that path, which Kubernetes never does: exactly
 * what a seeded path is about); and sizeLimit is not enforced (podman 4.3 refuses a size on volumes without project
 * quota; the kubelet enforces it by eviction, not by the mount).
 */
final class PodmanPod implements AutoCloseable {

    private static final Set<String> POD_FIELDS = Set.of("containers", "initContainers", "volumes", "securityContext");
    private static final Set<String> CONTAINER_FIELDS = Set.of("name", "image", "imagePullPolicy", "command", "args",
            "workingDir", "env", "ports", "volumeMounts", "securityContext", "resources");
    private static final Set<String> SECURITY_FIELDS = Set.of("readOnlyRootFilesystem", "allowPrivilegeEscalation",
            "capabilities", "runAsUser", "runAsGroup", "runAsNonRoot");

    private final Podman podman;
    private final String name;
    private final Map<Integer, Integer> hostPorts = new LinkedHashMap<>();
    private final Map<String, String> volumes = new HashMap<>(); // pod volume name -> podman volume name or host dir
    private final List<String> podmanVolumes = new ArrayList<>();
    private final List<Path> hostDirs = new ArrayList<>();

    private PodmanPod(Podman podman, String name) {
        this.podman = podman;
        this.name = name;
    }

    /**
     * Creates and starts the pod. {@code pod} is a Pod object (its spec is run); {@code configMaps} gives each
     * ConfigMap's data by name. Ports are published on 127.0.0.1 at free ports ({@link #hostPort}).
     */
    static PodmanPod start(Podman podman, JsonNode pod, Map<String, Map<String, String>> configMaps) {
        JsonNode spec = pod.path("spec");
        PodmanPod p = new PodmanPod(podman, "rofs-" + pod.path("metadata").path("name").asText("pod") + "-"
                + UUID.randomUUID().toString().substring(0, 8));
        try {
            onlyKnown(spec, POD_FIELDS, "pod spec");
            p.create(spec, configMaps);
            Podman.Result started = podman.podman("pod", "start", p.name);
            if (started.exitCode() != 0) {
                throw new AssertionError("pod " + p.name + " did not start: " + started.stderr() + "\n" + p.logs());
            }
            return p;
        } catch (RuntimeException | Error e) {
            p.close();
            throw e;
        }
    }

    private void create(JsonNode spec, Map<String, Map<String, String>> configMaps) {
        List<String> cmd = new ArrayList<>(List.of("pod", "create", "--name", name));
        for (JsonNode c : spec.path("containers")) {
            for (JsonNode port : c.path("ports")) {
                if (!port.path("protocol").asText("TCP").equals("TCP")) {
                    throw new IllegalArgumentException("not translated: protocol " + port.path("protocol"));
                }
                int hostPort = Podman.freePort();
                hostPorts.put(port.path("containerPort").asInt(), hostPort);
                cmd.addAll(List.of("-p", "127.0.0.1:" + hostPort + ":" + port.path("containerPort").asInt()));
            }
        }
        podman.podman(cmd.toArray(String[]::new)).ok();
        for (JsonNode v : spec.path("volumes")) {
            String volume = v.path("name").asText();
            if (v.has("emptyDir")) {
                String podmanName = name + "-" + volume;
                List<String> create = new ArrayList<>(List.of("volume", "create"));
                if (v.path("emptyDir").path("medium").asText("").equals("Memory")) {
                    create.addAll(List.of("--opt", "type=tmpfs", "--opt", "device=tmpfs"));
                }
                create.add(podmanName);
                podman.podman(create.toArray(String[]::new)).ok();
                podmanVolumes.add(podmanName);
                volumes.put(volume, podmanName);
            } else if (v.has("configMap")) {
                onlyKnown(v.path("configMap"), Set.of("name"), "configMap volume");
                Map<String, String> data = configMaps.get(v.path("configMap").path("name").asText());
                if (data == null) {
                    throw new IllegalArgumentException("no ConfigMap " + v.path("configMap").path("name"));
                }
                try {
                    Path dir = Files.createTempDirectory("configmap");
                    hostDirs.add(dir);
                    for (Map.Entry<String, String> file : data.entrySet()) {
                        Files.writeString(dir.resolve(file.getKey()), file.getValue());
                    }
                    volumes.put(volume, dir.toString());
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            } else {
                throw new IllegalArgumentException("not translated: volume " + v);
            }
        }
        // Init containers first, in order: podman runs them one after another when the pod starts.
        for (JsonNode c : spec.path("initContainers")) {
            podman.podman(container(c, spec.path("securityContext"), true).toArray(String[]::new)).ok();
        }
        for (JsonNode c : spec.path("containers")) {
            podman.podman(container(c, spec.path("securityContext"), false).toArray(String[]::new)).ok();
        }
    }

    private List<String> container(JsonNode c, JsonNode podSecurity, boolean init) {
        onlyKnown(c, CONTAINER_FIELDS, "container " + c.path("name").asText());
        List<String> cmd = new ArrayList<>(List.of("create", "--pod", name, "--name", containerName(c.path("name").asText())));
        if (init) {
            cmd.addAll(List.of("--init-ctr", "once"));
        }
        JsonNode sc = c.path("securityContext");
        onlyKnown(sc, SECURITY_FIELDS, "securityContext");
        onlyKnown(podSecurity, Set.of("runAsUser", "runAsGroup", "runAsNonRoot"), "pod securityContext");
        if (sc.path("readOnlyRootFilesystem").asBoolean(false)) {
            cmd.addAll(Podman.READ_ONLY);
        } else {
            cmd.add("--image-volume=ignore");
        }
        if (sc.has("allowPrivilegeEscalation") && !sc.path("allowPrivilegeEscalation").asBoolean()) {
            cmd.addAll(List.of("--security-opt", "no-new-privileges"));
        }
        sc.path("capabilities").path("drop").forEach(cap -> cmd.addAll(List.of("--cap-drop", cap.asText())));
        sc.path("capabilities").path("add").forEach(cap -> cmd.addAll(List.of("--cap-add", cap.asText())));
        JsonNode user = sc.has("runAsUser") ? sc.path("runAsUser") : podSecurity.path("runAsUser");
        JsonNode group = sc.has("runAsGroup") ? sc.path("runAsGroup") : podSecurity.path("runAsGroup");
        if (!user.isMissingNode()) {
            cmd.addAll(List.of("--user", user.asText() + (group.isMissingNode() ? "" : ":" + group.asText())));
        }
        boolean nonRoot = sc.has("runAsNonRoot") ? sc.path("runAsNonRoot").asBoolean() : podSecurity.path("runAsNonRoot").asBoolean(false);
        if (nonRoot && (user.isMissingNode() || user.asLong() == 0)) {
            throw new IllegalArgumentException("not translated: runAsNonRoot without a non-zero runAsUser (the kubelet checks the image's user)");
        }
        for (JsonNode e : c.path("env")) {
            onlyKnown(e, Set.of("name", "value"), "env");
            cmd.addAll(List.of("-e", e.path("name").asText() + "=" + e.path("value").asText()));
        }
        if (c.has("workingDir")) {
            cmd.addAll(List.of("--workdir", c.path("workingDir").asText()));
        }
        for (JsonNode m : c.path("volumeMounts")) {
            onlyKnown(m, Set.of("name", "mountPath", "readOnly"), "volumeMount");
            String source = volumes.get(m.path("name").asText());
            if (source == null) {
                throw new IllegalArgumentException("volumeMount of an undeclared volume: " + m);
            }
            boolean hostDir = source.startsWith("/");
            // ConfigMaps are always mounted read-only; an emptyDir starts empty (nocopy), as Kubernetes has it.
            String options = hostDir ? "ro" : "nocopy" + (m.path("readOnly").asBoolean(false) ? ",ro" : "");
            cmd.addAll(List.of("-v", source + ":" + m.path("mountPath").asText() + ":" + options));
        }
        if (c.has("command")) {
            // Kubernetes' command replaces the image's ENTRYPOINT and drops its CMD; so does podman's --entrypoint.
            cmd.addAll(List.of("--entrypoint", c.path("command").toString()));
        }
        cmd.add(c.path("image").asText());
        c.path("args").forEach(a -> cmd.add(a.asText()));
        return cmd;
    }

    private static void onlyKnown(JsonNode node, Set<String> known, String what) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!known.contains(field)) {
                throw new IllegalArgumentException("not translated: " + what + "." + field);
            }
        }
    }

    String containerName(String container) {
        return name + "-" + container;
    }

    int hostPort(int containerPort) {
        Integer port = hostPorts.get(containerPort);
        if (port == null) {
            throw new IllegalArgumentException("port " + containerPort + " is not published");
        }
        return port;
    }

    /** The files in an emptyDir volume, read on the host (podman volume's mount point). */
    List<String> volumeFiles(String podVolume) {
        String mountpoint = podman.podman("volume", "inspect", "--format", "{{.Mountpoint}}", volumes.get(podVolume)).ok().stdout().strip();
        try (var files = Files.list(Path.of(mountpoint))) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    Podman.Result exec(String container, String... args) {
        List<String> cmd = new ArrayList<>(List.of("exec", containerName(container)));
        cmd.addAll(List.of(args));
        return podman.podman(cmd.toArray(String[]::new));
    }

    String logs() {
        Podman.Result ps = podman.podman("ps", "-a", "--filter", "pod=" + name, "--format", "{{.Names}} {{.Status}}");
        StringBuilder all = new StringBuilder(ps.stdout());
        for (String line : ps.stdout().lines().toList()) {
            all.append("--- ").append(line).append('\n').append(podman.logs(line.split(" ")[0]));
        }
        return all.toString();
    }

    @Override
    public void close() {
        podman.podman("pod", "rm", "-f", "-t", "2", name);
        for (String v : podmanVolumes) {
            podman.podman("volume", "rm", "-f", v);
        }
        for (Path dir : hostDirs) {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                // a temp dir left behind is harmless
            }
        }
    }
}

package dev.rofsguard.discover;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The docker or podman command line, as a user would type it (its configuration comes from the environment:
 * CONTAINERS_CONF, DOCKER_HOST). Each call has a time limit, so a hung engine fails the discovery instead of
 * hanging it.
 */
public final class ContainerEngine {

    /** What a command printed, and how it ended. */
    public record Output(int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    private static final Duration DEFAULT_LIMIT = Duration.ofMinutes(2);

    private final String name;
    private final List<String> command;

    /** @param command the engine's command and any global options, e.g. {@code podman --runtime runc} */
    public ContainerEngine(String name, List<String> command) {
        this.name = name;
        this.command = List.copyOf(command);
    }

    public static ContainerEngine of(String name) {
        return new ContainerEngine(name, List.of(name));
    }

    public String name() {
        return name;
    }

    public boolean isPodman() {
        return name.equals("podman");
    }

    /**
     * The flags that make a run stand in for Kubernetes' readOnlyRootFilesystem: for podman, no tmpfs at /run,
     * /tmp and /var/tmp (CRI-O's habit) and no writable image VOLUMEs; only the mounts under test.
     */
    public List<String> readOnlyFlags() {
        return isPodman() ? List.of("--read-only", "--read-only-tmpfs=false", "--image-volume=ignore") : List.of("--read-only");
    }

    public Output exec(Duration limit, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(command);
        cmd.addAll(args);
        Path out = Files.createTempFile("rofs-guard-engine", ".out");
        Path err = Files.createTempFile("rofs-guard-engine", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.PIPE).start();
            p.getOutputStream().close();
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + ": no answer within " + limit.toSeconds() + " s");
            }
            return new Output(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", cmd), e);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    public Output exec(String... args) throws IOException {
        return exec(DEFAULT_LIMIT, List.of(args));
    }

    /** Runs a command that must succeed; its standard output, trimmed. */
    public String check(String... args) throws IOException {
        Output o = exec(args);
        if (!o.ok()) {
            throw new IOException(name + " " + String.join(" ", args) + " failed (" + o.exitCode() + "): " + o.stderr().strip());
        }
        return o.stdout().strip();
    }

    /** The image's VOLUME paths (empty when none). */
    public Set<String> volumes(String image) throws IOException {
        JsonNode config = new ObjectMapper().readTree(check("image", "inspect", "--format", "{{json .Config}}", image));
        Set<String> volumes = new LinkedHashSet<>();
        JsonNode v = config.path("Volumes");
        for (Iterator<String> it = v.fieldNames(); it.hasNext(); ) {
            volumes.add(it.next());
        }
        return volumes;
    }

    /** What the image ships: a created (never started) container, exported as a tar stream. */
    public ImageFiles files(String image) throws IOException {
        List<String> create = new ArrayList<>(List.of("create"));
        if (isPodman()) {
            create.add("--image-volume=ignore");
        }
        create.add(image);
        String id = check(create.toArray(String[]::new));
        try {
            List<String> cmd = new ArrayList<>(command);
            cmd.addAll(List.of("export", id));
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            p.getOutputStream().close();
            ImageFiles files;
            try (InputStream in = p.getInputStream()) {
                files = ImageFiles.fromTar(in);
                in.transferTo(java.io.OutputStream.nullOutputStream()); // let the engine finish writing
            }
            if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException(name + " export " + image + " failed");
            }
            return files;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            exec("rm", "-f", id);
        }
    }
}

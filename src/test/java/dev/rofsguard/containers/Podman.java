package dev.rofsguard.containers;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Real podman for tests. The first use runs src/test/containers/setup.sh (installs podman and runc, writes the
 * containers.conf, builds the local images once per machine). Runs that stand in for Kubernetes use
 * {@code --read-only --read-only-tmpfs=false --image-volume=ignore} plus only the mounts under test.
 */
public final class Podman {

    public static final String NGINX = "localhost/rofs-guard-test/nginx:bookworm-r2";
    public static final String REDIS = "localhost/rofs-guard-test/redis:bookworm-r2";
    /** Debian's nginx in the official image's layout, named so that the catalog's nginx entry (*&#47;library/nginx) applies. */
    public static final String OFFICIAL_NGINX = "localhost/library/nginx:bookworm-r2";
    /** Debian's redis-server image under the name the catalog's redis entry matches. */
    public static final String OFFICIAL_REDIS = "localhost/library/redis:bookworm-r2";
    public static final String JRE = "localhost/rofs-guard-test/jre17:bookworm-r2";
    public static final List<String> READ_ONLY = List.of("--read-only", "--read-only-tmpfs=false", "--image-volume=ignore");

    public record Result(int exitCode, String stdout, String stderr) {
        public Result ok() {
            if (exitCode != 0) {
                throw new AssertionError("exit " + exitCode + ": " + stderr + stdout);
            }
            return this;
        }
    }

    private static Podman instance;
    private final String conf;

    private Podman(String conf) {
        this.conf = conf;
    }

    /** Sets up once per JVM (and, through the script's cache, once per machine). Never skips: fails instead. */
    public static synchronized Podman get() {
        if (instance == null) {
            Result setup = command(Map.of(), 3_600, List.of("bash", "src/test/containers/setup.sh"));
            if (setup.exitCode() != 0) {
                throw new IllegalStateException("container setup failed: " + setup.stderr());
            }
            Result conf = command(Map.of(), 600, List.of("bash", "src/test/containers/setup.sh", "--conf")).ok();
            instance = new Podman(conf.stdout().strip());
        }
        return instance;
    }

    /** The environment for a podman (or rofs-guard discover) child process. */
    public Map<String, String> env() {
        return Map.of("CONTAINERS_CONF", conf);
    }

    public Result podman(String... args) {
        List<String> cmd = new ArrayList<>(List.of("podman", "--runtime", "runc"));
        cmd.addAll(List.of(args));
        return command(env(), 600, cmd);
    }

    public Result exec(int timeoutSeconds, List<String> cmd) {
        return command(env(), timeoutSeconds, cmd);
    }

    /** Starts a container read-only as Kubernetes would: only the given mounts are writable. Returns its id. */
    public String runReadOnly(List<String> flags, String image, String... args) {
        List<String> cmd = new ArrayList<>(List.of("run", "-d"));
        cmd.addAll(READ_ONLY);
        cmd.addAll(flags);
        cmd.add(image);
        cmd.addAll(List.of(args));
        return podman(cmd.toArray(String[]::new)).ok().stdout().strip();
    }

    /** Starts a container writable (for a diff of what it writes anywhere); image VOLUMEs stay in its filesystem. */
    public String runWritable(List<String> flags, String image, String... args) {
        List<String> cmd = new ArrayList<>(List.of("run", "-d", "--image-volume=ignore"));
        cmd.addAll(flags);
        cmd.add(image);
        cmd.addAll(List.of(args));
        return podman(cmd.toArray(String[]::new)).ok().stdout().strip();
    }

    public String diff(String id) {
        return podman("diff", id).ok().stdout();
    }

    public String logs(String id) {
        Result r = podman("logs", id);
        return r.stdout() + r.stderr();
    }

    public boolean running(String id) {
        return podman("inspect", "--format", "{{.State.Running}}", id).ok().stdout().strip().equals("true");
    }

    public void rm(String id) {
        podman("rm", "-f", "-t", "2", id);
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Result command(Map<String, String> env, int timeoutSeconds, List<String> cmd) {
        try {
            Path out = Files.createTempFile("podman", ".out");
            Path err = Files.createTempFile("podman", ".err");
            try {
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
                pb.environment().putAll(env);
                Process p = pb.start();
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("timed out after " + timeoutSeconds + " s: " + cmd);
                }
                return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

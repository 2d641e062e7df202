package dev.rofsguard.containers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * {@code rofs-guard flags IMAGE} used unchanged with {@code podman run}: the printed flags start the image read-only
 * and its writes land on the mounts they name; the same run with only {@code --read-only} fails. Images are the
 * catalog's nginx and redis entries (Debian's packages, named localhost/library/..., see setup.sh).
 */
class RunFlagsInPodman {

    private final Podman podman = Podman.get();

    private List<String> flags(String... args) {
        List<String> cmd = new ArrayList<>(List.of("java", "-jar", "target/quarkus-app/quarkus-run.jar", "flags"));
        cmd.addAll(List.of(args));
        Podman.Result r = podman.exec(120, cmd);
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout().lines().count()).as(r.stdout()).isEqualTo(1);
        return new ArrayList<>(Arrays.asList(r.stdout().strip().split(" ")));
    }

    /**
     * docker's flags as printed, plus what podman needs to behave as docker does with them (no tmpfs of its own at
     * /run, /tmp, /var/tmp; image VOLUMEs not writable); podman's flags as printed, which already say so.
     */
    @ParameterizedTest
    @ValueSource(strings = {"docker", "podman"})
    void nginxFlagsStartItReadOnlyAndItWritesOnlyToTheirTmpfs(String format) throws Exception {
        List<String> flags = flags("--format", format, Podman.OFFICIAL_NGINX);
        assertThat(flags).contains("--read-only", "--tmpfs");
        if (format.equals("docker")) {
            assertThat(flags).doesNotContain("--read-only-tmpfs=false");
            flags.addAll(List.of("--read-only-tmpfs=false", "--image-volume=ignore"));
        } else {
            assertThat(flags).contains("--read-only-tmpfs=false", "--image-volume=ignore");
        }
        int port = Podman.freePort();
        String id = run(flags, List.of("-p", "127.0.0.1:" + port + ":80"), Podman.OFFICIAL_NGINX);
        try {
            HttpResponse<String> answer = null;
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            for (int i = 0; i < 50 && answer == null; i++) {
                try {
                    answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                            HttpResponse.BodyHandlers.ofString());
                } catch (java.io.IOException e) {
                    Thread.sleep(200);
                }
            }
            assertThat(answer).as(podman.logs(id)).isNotNull();
            assertThat(answer.body()).contains("Welcome to nginx!");
            assertThat(podman.running(id)).isTrue();
            // The root is read-only; nginx's temp directories and pid file are on the printed tmpfs mounts.
            String mounts = podman.podman("exec", id, "cat", "/proc/mounts").ok().stdout();
            assertThat(mounts.lines().filter(l -> l.split(" ")[1].equals("/")).findFirst().orElseThrow()).contains(" ro,");
            assertThat(mounts).contains("tmpfs /var/cache/nginx tmpfs rw,nosuid,nodev,noexec").contains("tmpfs /run tmpfs rw,nosuid,nodev,noexec");
            assertThat(podman.podman("exec", id, "ls", "/var/cache/nginx").ok().stdout()).contains("client_temp", "proxy_temp");
            assertThat(podman.podman("exec", id, "cat", "/var/run/nginx.pid").ok().stdout().strip()).isEqualTo("1");
            assertThat(podman.logs(id)).doesNotContain("Read-only file system");
        } finally {
            podman.rm(id);
        }
    }

    @Test
    void nginxReadOnlyWithoutTheFlagsFails() {
        String id = run(Podman.READ_ONLY, List.of(), Podman.OFFICIAL_NGINX);
        try {
            assertThat(podman.podman("wait", id).ok().stdout().strip()).isNotEqualTo("0");
            assertThat(podman.logs(id)).contains("\"/var/cache/nginx/client_temp\" failed (30: Read-only file system)");
        } finally {
            podman.rm(id);
        }
    }

    /** Data on a named volume: redis answers, and its save on a graceful stop lands in the volume. */
    @Test
    void redisFlagsKeepItsDataOnTheNamedVolume() throws Exception {
        List<String> flags = flags("--format", "podman", Podman.OFFICIAL_REDIS);
        assertThat(flags).contains("-v").doesNotContain("--tmpfs");
        String volume = flags.get(flags.indexOf("-v") + 1).split(":")[0];
        podman.podman("volume", "rm", "-f", volume); // a dump.rdb left by an earlier run would prove nothing
        int port = Podman.freePort();
        String id = run(flags, List.of("-p", "127.0.0.1:" + port + ":6379"), Podman.OFFICIAL_REDIS);
        try {
            assertThat(ping(port)).as(podman.logs(id)).isEqualTo("+PONG\r\n");
            podman.podman("stop", "-t", "10", id).ok();
            assertThat(podman.logs(id)).contains("DB saved on disk").doesNotContain("Read-only file system");
            String saved = podman.podman("run", "--rm", "-v", volume + ":/data", "--entrypoint", "[\"ls\",\"/data\"]", Podman.OFFICIAL_REDIS).ok().stdout();
            assertThat(saved).contains("dump.rdb");
        } finally {
            podman.rm(id);
            podman.podman("volume", "rm", "-f", volume);
        }
    }

    /** Without the volume redis runs, but cannot save: a graceful stop fails on the read-only root. */
    @Test
    void redisReadOnlyWithoutTheFlagsCannotSave() throws Exception {
        int port = Podman.freePort();
        String id = run(Podman.READ_ONLY, List.of("-p", "127.0.0.1:" + port + ":6379"), Podman.OFFICIAL_REDIS);
        try {
            assertThat(ping(port)).as(podman.logs(id)).isEqualTo("+PONG\r\n");
            podman.podman("stop", "-t", "3", id);
            assertThat(podman.logs(id)).contains("Failed opening the temp RDB file").contains("Read-only file system");
        } finally {
            podman.rm(id);
        }
    }

    private String run(List<String> flags, List<String> more, String image) {
        List<String> cmd = new ArrayList<>(List.of("run", "-d"));
        cmd.addAll(flags);
        cmd.addAll(more);
        cmd.add(image);
        return podman.podman(cmd.toArray(String[]::new)).ok().stdout().strip();
    }

    static String ping(int port) throws InterruptedException {
        for (int i = 0; i < 50; i++) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(2000);
                OutputStream o = s.getOutputStream();
                o.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                o.flush();
                InputStream in = s.getInputStream();
                byte[] b = new byte[7];
                int n = in.readNBytes(b, 0, 7);
                if (n > 0) {
                    return new String(b, 0, n, StandardCharsets.US_ASCII);
                }
            } catch (java.io.IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        return "(no answer on port " + port + ")";
    }
}

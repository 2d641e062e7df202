package dev.rofsguard.containers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rofsguard.config.PolicyLoader;
import dev.rofsguard.catalog.Catalog;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code rofs-guard discover --run} against real software from Debian's packages (nginx, redis-server in a
 * debootstrap root): it finds the paths they write, and the container then runs read-only with exactly the proposed
 * flags and serves. Runs the packaged jar, as a user would.
 */
class DiscoverRunInPodman {

    private final Podman podman = Podman.get();

    private String discover(String image) throws Exception {
        Podman.Result r = podman.exec(600, List.of("java", "-jar", "target/quarkus-app/quarkus-run.jar", "discover", "--run", image));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        return r.stdout();
    }

    /** The `# podman run flags:` line, split as a shell would (the flags are plain words). */
    private static List<String> podmanFlags(String out) {
        List<String> lines = out.lines().toList();
        String flags = lines.get(lines.indexOf("# podman run flags:") + 1);
        return new ArrayList<>(Arrays.asList(flags.split(" ")));
    }

    @Test
    void nginxFromDebianIsDiscoveredAndThenServesReadOnly() throws Exception {
        String out = discover(Podman.NGINX);
        // Debian's nginx makes its temp directories under /var/lib/nginx and writes /run/nginx.pid.
        assertThat(out).contains("{path: /var/lib/nginx, type: scratch").contains("{path: /run, type: scratch")
                .contains("A /var/lib/nginx/body").contains("\"/run/nginx.pid\" failed (30: Read-only file system)")
                .contains("readOnlyRootFilesystem: true");
        assertThat(out).doesNotContain("path: /etc/nginx").doesNotContain("path: /var/log/nginx");
        assertTheEntryLoads(out, Podman.NGINX, "/var/lib/nginx");

        int port = Podman.freePort();
        List<String> flags = podmanFlags(out);
        flags.addAll(List.of("-p", "127.0.0.1:" + port + ":80"));
        // The printed flags with podman's own --read-only-tmpfs=false; --image-volume=ignore as Kubernetes has it.
        flags.add("--image-volume=ignore");
        String id = podman.podman(concat(List.of("run", "-d"), flags, List.of(Podman.NGINX))).ok().stdout().strip();
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            HttpResponse<String> answer = null;
            for (int i = 0; i < 50 && answer == null; i++) {
                try {
                    answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                            HttpResponse.BodyHandlers.ofString());
                } catch (java.io.IOException e) {
                    Thread.sleep(200);
                }
            }
            assertThat(answer).as(podman.logs(id)).isNotNull();
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).contains("Welcome to nginx");
            assertThat(podman.running(id)).isTrue();
            assertThat(podman.logs(id)).doesNotContain("Read-only file system");
        } finally {
            podman.rm(id);
        }
    }

    @Test
    void redisFromDebianKeepsItsDataOnAVolumeAndAnswersPing() throws Exception {
        String out = discover(Podman.REDIS);
        // /data is the image's VOLUME and its WORKDIR: redis saves dump.rdb there on shutdown. Data, not scratch.
        assertThat(out).contains("{path: /data, type: data").contains("persistentVolumeClaim")
                .contains("-v redis-data:/data");
        assertThat(out).doesNotContain("--tmpfs /data");
        assertTheEntryLoads(out, Podman.REDIS, "/data");

        int port = Podman.freePort();
        List<String> flags = podmanFlags(out);
        flags.addAll(List.of("-p", "127.0.0.1:" + port + ":6379", "--image-volume=ignore"));
        String id = podman.podman(concat(List.of("run", "-d"), flags, List.of(Podman.REDIS))).ok().stdout().strip();
        try {
            String pong = null;
            for (int i = 0; i < 50 && pong == null; i++) {
                try (Socket s = new Socket("127.0.0.1", port)) {
                    s.setSoTimeout(2000);
                    OutputStream o = s.getOutputStream();
                    o.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                    o.flush();
                    InputStream in = s.getInputStream();
                    byte[] b = new byte[7];
                    int n = in.readNBytes(b, 0, 7);
                    pong = new String(b, 0, n, StandardCharsets.US_ASCII);
                } catch (java.io.IOException e) {
                    Thread.sleep(200);
                }
            }
            assertThat(pong).as(podman.logs(id)).isEqualTo("+PONG\r\n");
            // A graceful stop saves to the volume: no read-only error on the way out either.
            podman.podman("stop", "-t", "10", id).ok();
            assertThat(podman.logs(id)).doesNotContain("Read-only file system").contains("DB saved on disk");
        } finally {
            podman.rm(id);
            podman.podman("volume", "rm", "-f", "redis-data");
        }
    }

    /** The printed entry is a catalog entry the policy loader accepts, and it matches the image. */
    private static void assertTheEntryLoads(String out, String image, String path) throws Exception {
        String entry = out.substring(out.indexOf("- name:"), out.indexOf("\n\n# pod spec snippet"));
        String policy = "catalog:\n  entries:\n" + entry.lines().map(l -> "    " + l).reduce("", (a, b) -> a + b + "\n");
        Path file = Files.createTempFile("discovered", ".yaml");
        try {
            Files.writeString(file, policy);
            Catalog catalog = PolicyLoader.load(file, null).catalog();
            Catalog.Match m = catalog.match(image).orElseThrow();
            List<String> paths = new ArrayList<>();
            m.scratch().forEach(s -> paths.add(s.path()));
            m.data().forEach(d -> paths.add(d.path()));
            assertThat(paths).contains(path);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static String[] concat(List<String> a, List<String> b, List<String> c) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        all.addAll(c);
        return all.toArray(String[]::new);
    }
}

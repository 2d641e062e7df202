package dev.rofsguard.containers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@code rofs-guard audit --fix} on a Compose file, used for real: Debian's docker-compose accepts the fixed file
 * ({@code docker-compose config}, offline), and each service of the file docker-compose resolved, translated to
 * {@code podman run} flags as Compose would pass them to the engine, starts read-only and works. Removing the tmpfs
 * entries the fix added makes nginx fail: they are what makes it start.
 */
class ComposeFixInPodman {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> SERVICE_FIELDS = Set.of("image", "ports", "volumes", "read_only", "tmpfs", "environment");

    private final Podman podman = Podman.get();
    private final String project = "rofs" + UUID.randomUUID().toString().substring(0, 8);

    @Test
    void theFixedComposeFileIsValidAndItsServicesRunReadOnly() throws Exception {
        int webPort = Podman.freePort();
        int cachePort = Podman.freePort();
        String compose = """
                # A web server and a cache with its data on a named volume: the Compose use of the catalog.
                services:
                  web:
                    image: %s
                    ports: ["127.0.0.1:%d:80"]
                  cache:
                    image: %s
                    ports: ["127.0.0.1:%d:6379"]
                    volumes:
                      - cache-data:/data
                volumes:
                  cache-data: {}
                """.formatted(Podman.OFFICIAL_NGINX, webPort, Podman.OFFICIAL_REDIS, cachePort);
        Path dir = Files.createTempDirectory("compose");
        Path original = Files.writeString(dir.resolve("original.yaml"), compose);
        Path fixedFile = dir.resolve("compose.yaml");
        List<String> started = new ArrayList<>();
        try {
            assertThat(rofsGuard("audit", original.toString()).exitCode()).as("as written: no read_only").isEqualTo(1);
            Podman.Result fixed = rofsGuard("audit", "--fix", original.toString());
            assertThat(fixed.exitCode()).as(fixed.stderr()).isZero();
            Files.writeString(fixedFile, fixed.stdout());
            assertThat(rofsGuard("audit", fixedFile.toString()).exitCode()).as("the fixed file passes").isZero();

            Podman.Result config = podman.exec(120, List.of("docker-compose", "-f", fixedFile.toString(), "-p", project, "config"));
            assertThat(config.exitCode()).as(config.stderr()).isZero();
            JsonNode services = YAML.readTree(config.stdout()).path("services");
            assertThat(services.at("/web/read_only").asBoolean()).isTrue();
            assertThat(services.at("/cache/read_only").asBoolean()).isTrue();
            assertThat(services.at("/web/tmpfs").toString()).contains("/var/cache/nginx:rw,noexec,nosuid,size=").contains("/var/run:");
            assertThat(services.path("cache").has("tmpfs")).as("data stays on its volume, never a tmpfs").isFalse();

            String web = run(services.path("web"), "web");
            started.add(web);
            String cache = run(services.path("cache"), "cache");
            started.add(cache);
            assertThat(get(webPort)).as(podman.logs(web)).contains("Welcome to nginx!");
            assertThat(RunFlagsInPodman.ping(cachePort)).as(podman.logs(cache)).isEqualTo("+PONG\r\n");
            podman.podman("stop", "-t", "10", cache).ok();
            assertThat(podman.logs(cache)).contains("DB saved on disk").doesNotContain("Read-only file system");
            assertThat(podman.running(web)).isTrue();
            assertThat(podman.logs(web)).doesNotContain("Read-only file system");

            // The same service without the tmpfs entries the fix added: read-only, and nginx cannot start.
            ObjectNode bare = services.path("web").deepCopy();
            bare.remove("tmpfs");
            bare.remove("ports");
            String broken = run(bare, "web-no-tmpfs");
            started.add(broken);
            assertThat(podman.podman("wait", broken).ok().stdout().strip()).isNotEqualTo("0");
            assertThat(podman.logs(broken)).contains("Read-only file system");
        } finally {
            started.forEach(podman::rm);
            podman.podman("volume", "rm", "-f", project + "_cache-data");
            Files.deleteIfExists(original);
            Files.deleteIfExists(fixedFile);
            Files.deleteIfExists(dir);
        }
    }

    /**
     * The Compose files in real projects' shapes (compose/real-world/), fixed by the packaged jar (its text output, as
     * a user gets it), are accepted by docker-compose; the one whose two mounts share a target is refused by both
     * tools, fixed or not. The build contexts and env files they name are made empty, as docker-compose checks them.
     */
    @Test
    void theFixedRealWorldShapesAreValidForDockerCompose() throws Exception {
        for (String name : dev.rofsguard.compose.RealWorldComposeTest.FIXTURES) {
            Path source = Path.of("src/test/resources/compose/real-world/" + name + ".yaml");
            Path dir = Files.createTempDirectory("compose-" + name);
            try {
                List<dev.rofsguard.manifest.Document> docs = new ArrayList<>();
                dev.rofsguard.manifest.ManifestReader.parse(name, Files.readString(source), docs, new ArrayList<>());
                for (JsonNode service : docs.get(0).object().path("services")) {
                    JsonNode build = service.path("build");
                    if (!build.isMissingNode()) {
                        Files.createDirectories(dir.resolve(build.isTextual() ? build.asText() : build.path("context").asText()));
                    }
                    JsonNode envFiles = service.path("env_file");
                    for (JsonNode f : envFiles.isArray() ? envFiles : List.of(envFiles)) {
                        if (f.isTextual()) {
                            Files.writeString(dir.resolve(f.asText()), "");
                        }
                    }
                }
                Podman.Result fixed = rofsGuard("audit", "--fix", source.toString());
                assertThat(fixed.exitCode()).as(name + ": " + fixed.stderr()).isZero();
                // Debian's docker-compose 1.29 predates the Compose spec's top-level `name:` and refuses it: drop that line
                // from both files (rofs-guard reads it; the golden file keeps it).
                Path original = Files.writeString(dir.resolve("original.yaml"), withoutName(Files.readString(source)));
                Path fixedFile = Files.writeString(dir.resolve("compose.yaml"), withoutName(fixed.stdout()));
                Podman.Result before = podman.exec(120, List.of("docker-compose", "-f", original.toString(), "config", "-q"));
                Podman.Result after = podman.exec(120, List.of("docker-compose", "-f", fixedFile.toString(), "config", "-q"));
                if (name.equals("duplicate-target")) {
                    assertThat(before.stderr()).contains("Duplicate mount points");
                    assertThat(after.stderr()).contains("Duplicate mount points");
                } else {
                    assertThat(before.exitCode()).as(name + " as written: " + before.stderr()).isZero();
                    assertThat(after.exitCode()).as(name + " fixed: " + after.stderr()).isZero();
                }
            } finally {
                try (var files = Files.walk(dir)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    private static String withoutName(String compose) {
        return compose.replaceAll("(?m)^name: .*\\n", "");
    }

    /**
     * A resolved Compose service as the engine gets it: read_only and tmpfs as they are (with podman's own
     * read-only tmpfs and image volumes off, as docker has them), ports as they are, named volumes prefixed with
     * the project name as Compose creates them. A field not translated fails the test.
     */
    private String run(JsonNode service, String name) {
        for (Iterator<String> it = service.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!SERVICE_FIELDS.contains(field)) {
                throw new IllegalArgumentException("not translated: service field " + field);
            }
        }
        List<String> cmd = new ArrayList<>(List.of("run", "-d", "--name", project + "_" + name, "--image-volume=ignore"));
        if (service.path("read_only").asBoolean(false)) {
            cmd.addAll(List.of("--read-only", "--read-only-tmpfs=false"));
        }
        service.path("tmpfs").forEach(t -> cmd.addAll(List.of("--tmpfs", t.asText())));
        service.path("ports").forEach(p -> cmd.addAll(List.of("-p", p.asText())));
        for (JsonNode v : service.path("volumes")) {
            String spec = v.asText();
            if (spec.startsWith("/") || spec.startsWith(".")) {
                throw new IllegalArgumentException("not translated: bind mount " + spec);
            }
            cmd.addAll(List.of("-v", project + "_" + spec));
        }
        service.path("environment").fields().forEachRemaining(e -> cmd.addAll(List.of("-e", e.getKey() + "=" + e.getValue().asText())));
        cmd.add(service.path("image").asText());
        return podman.podman(cmd.toArray(String[]::new)).ok().stdout().strip();
    }

    private static Podman.Result rofsGuard(String... args) {
        List<String> cmd = new ArrayList<>(List.of("java", "-jar", "target/quarkus-app/quarkus-run.jar"));
        cmd.addAll(List.of(args));
        return Podman.command(java.util.Map.of(), 120, cmd);
    }

    private static String get(int port) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        for (int i = 0; i < 50; i++) {
            try {
                return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
            } catch (java.io.IOException e) {
                Thread.sleep(200);
            }
        }
        return "(nothing on port " + port + ")";
    }
}

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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A seeded path as Kubernetes runs it. The pod: nginx with templates mounted from a ConfigMap, which the catalog's
 * nginx entry answers with a seeded {@code /etc/nginx/conf.d} (the entrypoint renders templates there, where the image
 * ships default.conf). {@code rofs-guard audit --fix} (the packaged jar) makes the plan; {@link PodmanPod} runs the
 * fixed pod spec unchanged as a podman pod: the init container rofs-guard added copies conf.d into the emptyDir, then
 * the app starts read-only and serves both the shipped default.conf and the rendered template. Without the init
 * container the same emptyDir hides default.conf: that run must lose port 80.
 *
 * <p>The image is Debian's nginx package in the official image's layout (conf.d/default.conf, pid and temp paths
 * under /var/run and /var/cache/nginx) with an entrypoint written for these tests that renders templates as the
 * official one's 20-envsubst-on-templates.sh does; see src/test/containers/setup.sh. It is not the official image.
 */
class SeededPathPodInPodman {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String MANIFEST = """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: web-templates}
            data:
              hello.conf.template: |
                server {
                    listen 8081;
                    location / { return 200 "hello from ${GREETING} at $host\\n"; }
                }
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: web}
            spec:
              containers:
                - name: nginx
                  image: %s
                  env: [{name: GREETING, value: rofs-guard}]
                  ports: [{containerPort: 80}, {containerPort: 8081}]
                  volumeMounts:
                    - {name: templates, mountPath: /etc/nginx/templates}
              volumes:
                - name: templates
                  configMap: {name: web-templates}
            """.formatted(Podman.OFFICIAL_NGINX);

    private static Podman podman;
    private static JsonNode fixedPod;
    private static Map<String, Map<String, String>> configMaps;

    @BeforeAll
    static void fixTheManifest() throws Exception {
        podman = Podman.get();
        Path file = Files.createTempFile("seeded", ".yaml");
        try {
            Files.writeString(file, MANIFEST);
            Podman.Result fixed = podman.exec(120, List.of("java", "-jar", "target/quarkus-app/quarkus-run.jar", "audit", "--fix", file.toString()));
            assertThat(fixed.exitCode()).as(fixed.stderr()).isZero();
            configMaps = new HashMap<>();
            for (JsonNode doc : YAML.readerFor(JsonNode.class).<JsonNode>readValues(fixed.stdout()).readAll()) {
                if (doc.path("kind").asText().equals("Pod")) {
                    fixedPod = doc;
                } else if (doc.path("kind").asText().equals("ConfigMap")) {
                    Map<String, String> data = new HashMap<>();
                    doc.path("data").fields().forEachRemaining(e -> data.put(e.getKey(), e.getValue().asText()));
                    configMaps.put(doc.path("metadata").path("name").asText(), data);
                }
            }
        } finally {
            Files.deleteIfExists(file);
        }
        // What the plan says (the runs below check that it works): the app read-only, conf.d seeded by an init container.
        assertThat(fixedPod.at("/spec/containers/0/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(fixedPod.at("/spec/initContainers/0/command").toString()).contains("/etc/nginx/conf.d");
    }

    @Test
    void theInitContainerSeedsConfDAndTheReadOnlyAppServesShippedAndRenderedConfig() throws Exception {
        try (PodmanPod pod = PodmanPod.start(podman, fixedPod, configMaps)) {
            String seeded = fixedPod.at("/spec/initContainers/0/volumeMounts/0/name").asText();
            String shipped = get(pod.hostPort(80));
            assertThat(shipped).as(pod.logs()).contains("Welcome to nginx!");
            assertThat(get(pod.hostPort(8081))).isEqualTo("hello from rofs-guard at 127.0.0.1\n");
            // The init container copied the image's conf.d into the volume; the app rendered its template beside it.
            assertThat(pod.volumeFiles(seeded)).containsExactly("default.conf", "hello.conf");
            assertThat(pod.exec("nginx", "ls", "/etc/nginx/conf.d").ok().stdout().lines()).containsExactly("default.conf", "hello.conf");
            // The root filesystem is read-only for the app: the plan's volumes are the only writable places.
            assertThat(pod.exec("nginx", "touch", "/etc/nginx/x").stderr()).contains("Read-only file system");
            assertThat(pod.exec("nginx", "ls", "/var/cache/nginx").ok().stdout()).contains("client_temp");
            assertThat(pod.logs()).doesNotContain("Read-only file system").doesNotContain("ERROR");
        }
    }

    @Test
    void withoutTheInitContainerTheEmptyDirHidesTheShippedDefaultConf() throws Exception {
        ObjectNode unseeded = fixedPod.deepCopy();
        ((ObjectNode) unseeded.path("spec")).remove("initContainers");
        try (PodmanPod pod = PodmanPod.start(podman, unseeded, configMaps)) {
            // The template still renders (the emptyDir is writable), so nginx starts, but default.conf is gone.
            assertThat(get(pod.hostPort(8081))).as(pod.logs()).isEqualTo("hello from rofs-guard at 127.0.0.1\n");
            assertThat(pod.exec("nginx", "ls", "/etc/nginx/conf.d").ok().stdout().lines()).containsExactly("hello.conf");
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            assertThat(send(http, pod.hostPort(80))).as("port 80 without default.conf").isNull();
        }
    }

    /** The body, waiting up to 10 s for nginx to listen. */
    private static String get(int port) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        for (int i = 0; i < 50; i++) {
            HttpResponse<String> r = send(http, port);
            if (r != null) {
                assertThat(r.statusCode()).isEqualTo(200);
                return r.body();
            }
            Thread.sleep(200);
        }
        return "(nothing on port " + port + ")";
    }

    private static HttpResponse<String> send(HttpClient http, int port) throws InterruptedException {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            return null;
        }
    }
}

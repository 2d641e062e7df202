package dev.rofsguard.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rofsguard.Fixtures;
import dev.rofsguard.config.ConfigException;
import dev.rofsguard.config.PolicyLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CatalogTest {

    private final Catalog shipped = Fixtures.engine("-").config().catalog();

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            # image                                       | entry              | scratch                                | data
            nginx                                         | nginx              | /var/cache/nginx,/var/run,/tmp         | -
            nginx:1.27-alpine                             | nginx              | /var/cache/nginx,/var/run,/tmp         | -
            mirror.gcr.io/library/nginx:1.27              | nginx              | /var/cache/nginx,/var/run,/tmp         | -
            registry.example.com:5000/library/nginx       | nginx              | /var/cache/nginx,/var/run,/tmp         | -
            evil.example/nginx                            | -                  | -                                      | -
            evil.example/nginx/nginx                      | -                  | -                                      | -
            harbor.example.com/dockerhub-proxy/library/postgres:16 | postgres  | /var/run/postgresql,/tmp               | /var/lib/postgresql/data
            public.ecr.aws/docker/library/postgres:16     | postgres           | /var/run/postgresql,/tmp               | /var/lib/postgresql/data
            registry.corp.example/mirror/library/nginx    | nginx              | /var/cache/nginx,/var/run,/tmp         | -
            ghcr.io/nginx/nginx-unprivileged              | nginx-unprivileged | /tmp                                   | -
            quay.io/nginx/nginx-unprivileged:1.27         | nginx-unprivileged | /tmp                                   | -
            public.ecr.aws/nginx/nginx-unprivileged       | nginx-unprivileged | /tmp                                   | -
            mariadb:11.4-ubi9                             | mariadb            | /run/mysqld,/run/mariadb,/tmp          | /var/lib/mysql
            nginxinc/nginx-unprivileged:1.27              | nginx-unprivileged | /tmp                                   | -
            ghcr.io/nginxinc/nginx-unprivileged           | nginx-unprivileged | /tmp                                   | -
            httpd:2.4                                     | httpd              | /usr/local/apache2/logs                | -
            postgres:16.4                                 | postgres           | /var/run/postgresql,/tmp               | /var/lib/postgresql/data
            postgres:17-alpine                            | postgres           | /var/run/postgresql,/tmp               | /var/lib/postgresql/data
            postgres:18                                   | postgres           | /var/run/postgresql,/tmp               | /var/lib/postgresql
            postgres                                      | postgres           | /var/run/postgresql,/tmp               | /var/lib/postgresql
            postgres@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef | postgres | /var/run/postgresql,/tmp | /var/lib/postgresql
            mysql:8.4                                     | mysql              | /var/run/mysqld,/tmp                   | /var/lib/mysql
            mariadb:11                                    | mariadb            | /run/mysqld,/tmp                       | /var/lib/mysql
            redis:7                                       | redis              | -                                      | /data
            mongo:8                                       | mongo              | /tmp                                   | /data/db
            rabbitmq:4-management                         | rabbitmq           | -                                      | /var/lib/rabbitmq
            memcached:1.6                                 | memcached          | -                                      | -
            node:22-slim                                  | node               | /tmp                                   | -
            python:3.13                                   | python             | /tmp                                   | -
            eclipse-temurin:21-jre                        | jvm                | /tmp                                   | -
            openjdk:17                                    | jvm                | /tmp                                   | -
            ghcr.io/acme/api:1                            | -                  | -                                      | -
            NOT A REFERENCE                               | -                  | -                                      | -
            NGINX:1.27                                    | -                  | -                                      | -
            nginx::1                                      | -                  | -                                      | -
            'nginx '                                      | -                  | -                                      | -
            nginx@sha256:0123                             | -                  | -                                      | -
            """)
    void shippedEntriesMatchAsTheImageIsNormalised(String image, String entry, String scratch, String data) {
        var match = shipped.match(image);
        if ("-".equals(entry)) {
            assertThat(match).isEmpty();
            return;
        }
        assertThat(match).isPresent();
        assertThat(match.get().entry()).isEqualTo(entry);
        assertThat(match.get().scratch()).extracting(Catalog.Scratch::path).containsExactlyElementsOf(list(scratch));
        assertThat(match.get().data()).extracting(CatalogPath::path).containsExactlyElementsOf(list(data));
        match.get().scratch().forEach(s -> assertThat(s.sizeLimit()).as("every emptyDir gets a sizeLimit").isNotBlank());
    }

    @Test
    void everyShippedEntryAndPathSaysWhy() {
        assertThat(shipped.entries()).isNotEmpty().allSatisfy(e -> assertThat(e.reason()).as(e.name()).isNotBlank());
        assertThat(shipped.allImages()).as("off by default").isEmpty();
    }

    @Test
    void userEntriesWinAndCanDisableShippedOnes(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("policy.yaml");
        Files.writeString(file, """
                catalog:
                  defaults: {sizeLimit: 32Mi}
                  allImages: {enabled: true}
                  entries:
                    - name: my-app
                      reason: session cache
                      images: [ghcr.io/acme/*]
                      paths: [{path: /app/cache, type: scratch, medium: Memory}]
                    - name: nginx
                      reason: our nginx config writes only /tmp
                      images: ["*/library/nginx"]
                      paths: [{path: /tmp}]
                    - name: redis
                      enabled: false
                """);
        Catalog catalog = PolicyLoader.load(file, null).catalog();
        assertThat(catalog.match("ghcr.io/acme/api:1").orElseThrow().scratch())
                .containsExactly(new Catalog.Scratch("/app/cache", "Memory", "32Mi"));
        assertThat(catalog.match("nginx").orElseThrow().scratch()).extracting(Catalog.Scratch::path).containsExactly("/tmp");
        // redis disabled: it falls through to allImages, now enabled (CRI-O style /tmp, /var/tmp, /run)
        assertThat(catalog.match("redis").orElseThrow().entry()).isEqualTo("all-images");
        assertThat(catalog.match("redis").orElseThrow().scratch()).extracting(Catalog.Scratch::path)
                .containsExactly("/tmp", "/var/tmp", "/run");
        assertThat(catalog.match("postgres:16").orElseThrow().entry()).isEqualTo("postgres");
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', textBlock = """
            entries: [{name: x, reason: r, images: [nginx], paths: [{path: /data, type: data, sizeLimit: 1Gi}]}]   | catalog.entries[0] (x).paths[0] (/data): a data path is never an emptyDir
            entries: [{name: x, reason: r, images: [nginx], paths: [{path: /tmp, type: temp}]}]                    | catalog.entries[0] (x).paths[0].type 'temp' is not one of scratch, data
            entries: [{name: x, reason: r, images: [nginx], paths: [{path: tmp}]}]                                 | catalog.entries[0] (x).paths[0].path 'tmp' must be a clean absolute path
            entries: [{name: x, reason: r, images: [nginx], paths: [{path: /a/../b}]}]                             | must be a clean absolute path
            entries: [{name: x, reason: r, images: [nginx], paths: [{path: /tmp, sizeLimit: lots}]}]               | catalog.entries[0] (x).paths[0].sizeLimit 'lots' is not a Kubernetes quantity
            entries: [{name: x, reason: r, images: [nginx], paths: [{path: /tmp, medium: Disk}]}]                  | catalog.entries[0] (x).paths[0].medium 'Disk' must be Memory
            entries: [{name: x, reason: r, images: [], paths: []}]                                                 | catalog.entries[0] (x).images: at least one image pattern
            entries: [{name: x, reason: r, images: [Bad/Pattern], paths: []}]                                      | catalog.entries[0] (x).images[0]: image pattern
            entries: [{name: Bad_Name, images: [nginx]}]                                                           | catalog.entries[0].name 'Bad_Name'
            entries: [{name: x, reason: r, images: [nginx], paths: [{path: /tmp}, {path: /tmp}]}]                  | listed twice
            entries: [{name: x, reason: r, images: [nginx], pathz: []}]                                            | unknown field 'pathz'
            defaults: {sizeLimit: huge}                                                                            | catalog.defaults.sizeLimit 'huge'
            """)
    void aBadCatalogIsRefusedNamingTheEntryAndField(String yaml, String message, @TempDir Path dir) throws Exception {
        Path file = dir.resolve("policy.yaml");
        Files.writeString(file, "catalog:\n  " + yaml + "\n");
        assertThatThrownBy(() -> PolicyLoader.load(file, null)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining(message);
    }

    /** A user's own mirror prefix of Docker Hub is read as Docker Hub; the shipped catalog needs none for path mirrors. */
    @org.junit.jupiter.api.Test
    void usersAddMirrorPrefixes(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("policy.yaml");
        Files.writeString(file, "catalog:\n  mirrors: [cache.corp.example]\n");
        Catalog catalog = PolicyLoader.load(file, null).catalog();
        assertThat(catalog.match("cache.corp.example/nginx:1.27")).get().extracting(Catalog.Match::entry).isEqualTo("nginx");
        assertThat(shipped.match("cache.corp.example/nginx:1.27")).isEmpty();
        assertThat(shipped.validReference("NGINX:1.27")).isFalse();
        assertThat(shipped.validReference("nginx:1.27")).isTrue();
    }

    /** Quantities are read as the API server reads them (fabric8 Quantity), not by a home-made pattern. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            64Mi    | true
            1e9     | true
            .5Gi    | true
            1.5Gi   | true
            500m    | true
            0       | false
            -1Mi    | false
            1.5.5Mi | false
            lots    | false
            """)
    void sizeLimitsAreKubernetesQuantities(String quantity, boolean valid, @TempDir Path dir) throws Exception {
        Path file = dir.resolve("policy.yaml");
        Files.writeString(file, "catalog:\n  defaults: {sizeLimit: '" + quantity + "'}\n");
        if (valid) {
            assertThat(PolicyLoader.load(file, null).catalog().defaultSizeLimit()).isEqualTo(quantity);
        } else {
            assertThatThrownBy(() -> PolicyLoader.load(file, null)).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("is not a Kubernetes quantity");
        }
    }

    private static List<String> list(String csv) {
        return "-".equals(csv) ? List.of() : Arrays.asList(csv.split(","));
    }
}

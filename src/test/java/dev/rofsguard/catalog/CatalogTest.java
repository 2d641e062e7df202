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
            nginx                                         | nginx              | /var/cache/nginx,/var/run              | -
            nginx:1.27-alpine                             | nginx              | /var/cache/nginx,/var/run              | -
            mirror.gcr.io/library/nginx:1.27              | nginx              | /var/cache/nginx,/var/run              | -
            registry.example.com:5000/library/nginx       | nginx              | /var/cache/nginx,/var/run              | -
            evil.example/nginx                            | -                  | -                                      | -
            evil.example/nginx/nginx                      | -                  | -                                      | -
            harbor.example.com/dockerhub-proxy/library/postgres:16 | postgres  | /var/run/postgresql,/tmp               | /var/lib/postgresql/data
            public.ecr.aws/docker/library/postgres:16     | postgres           | /var/run/postgresql,/tmp               | /var/lib/postgresql/data
            registry.corp.example/mirror/library/nginx    | nginx              | /var/cache/nginx,/var/run              | -
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
            mongo:8                                       | mongo              | /tmp                                   | /data/db,/data/configdb
            rabbitmq:4-management                         | rabbitmq           | -                                      | /var/lib/rabbitmq
            memcached:1.6                                 | memcached          | -                                      | -
            node:22-slim                                  | node               | /tmp                                   | -
            python:3.13                                   | python             | /tmp                                   | -
            eclipse-temurin:21-jre                        | jvm                | /tmp                                   | -
            openjdk:17                                    | jvm                | /tmp                                   | -
            mariadb:11.8-ubi10-rc                         | mariadb            | /run/mysqld,/run/mariadb,/tmp          | /var/lib/mysql
            mariadb@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef | mariadb | /run/mysqld,/tmp  | /var/lib/mysql
            registry.k8s.io/ingress-nginx/controller:v1.12.1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef | ingress-nginx-controller | /tmp | -
            evil.example/ingress-nginx/controller:v1.12.1 | -                  | -                                      | -
            registry.k8s.io/coredns/coredns:v1.12.0       | coredns            | -                                      | -
            quay.io/prometheus/prometheus:v3.2.1          | prometheus         | -                                      | /prometheus
            prom/prometheus                               | prometheus         | -                                      | /prometheus
            grafana/grafana:11.5.2                        | grafana            | /var/log/grafana,/tmp                  | /var/lib/grafana
            docker.io/grafana/grafana-oss                 | grafana            | /var/log/grafana,/tmp                  | /var/lib/grafana
            bitnami/nginx:1.27                            | bitnami-nginx      | /tmp,/opt/bitnami/nginx/conf,/opt/bitnami/nginx/tmp | -
            docker.io/bitnamilegacy/postgresql:17         | bitnami-postgresql | /opt/bitnami/postgresql/conf,/opt/bitnami/postgresql/tmp,/tmp | /bitnami/postgresql
            harbor.example.com/dockerhub-proxy/bitnamilegacy/nginx:1.27 | bitnami-nginx | /tmp,/opt/bitnami/nginx/conf,/opt/bitnami/nginx/tmp | -
            redis:8.6                                     | redis              | -                                      | /data
            php:8.3-apache                                | php-apache         | /var/run/apache2,/var/lock/apache2,/tmp | -
            php:8.3                                       | -                  | -                                      | -
            php:8.3-fpm                                   | -                  | -                                      | -
            wordpress:6.8                                 | wordpress          | /var/run/apache2,/var/lock/apache2,/tmp | /var/www/html
            wordpress:6.8-fpm-alpine                      | wordpress          | /tmp                                   | /var/www/html
            wordpress:cli                                 | wordpress          | /tmp                                   | /var/www/html
            influxdb:1.11                                 | influxdb           | -                                      | /var/lib/influxdb
            influxdb:2.7-alpine                           | influxdb           | -                                      | /var/lib/influxdb2,/etc/influxdb2
            influxdb:3-core                               | influxdb           | -                                      | /home/influxdb3/.influxdb3,/var/lib/influxdb3
            amazoncorretto:21                             | jvm                | /tmp                                   | -
            jenkins/jenkins:lts-jdk21                     | jenkins            | /tmp                                   | /var/jenkins_home
            quay.io/argoproj/argocd:v3.0.0                | argocd             | /tmp,/app/config/gpg/keys,/helm-working-dir,/home/argocd | -
            quay.io/keycloak/keycloak:26.1                | keycloak           | /opt/keycloak/data                     | /opt/keycloak/data
            hashicorp/vault:1.19                          | vault              | /vault/config                          | -
            apache/kafka:3.9.0                            | kafka              | /opt/kafka/logs                        | /tmp,/var/lib/kafka/data
            zookeeper:3.9                                 | zookeeper          | /logs                                  | /data,/datalog
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
            entries: [{name: x, reason: r, images: [nginx], paths: [{path: /tmp, ifArg: 'a b'}]}]                  | catalog.entries[0] (x).paths[0].ifArg 'a b' must be one word
            entries: [{name: x, reason: r, images: [nginx], paths: [{path: /tmp, ifEnv: 'A B'}]}]                  | catalog.entries[0] (x).paths[0].ifEnv 'A B' must be NAME or NAME=word
            entries: [{name: x, reason: r, images: [nginx], paths: [{path: /tmp, unlessTag: 'a/b'}]}]              | catalog.entries[0] (x).paths[0].unlessTag 'a/b' must be tag globs
            entries: [{name: x, reason: r, images: [nginx], requiredEnv: ['1X'], paths: []}]                       | catalog.entries[0] (x).requiredEnv[0] '1X' must be an environment variable name
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

    /** Conditions on the container's command line and env, as the planner asks them. */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            # condition                   | container (JSON)                                                  | applies
            ifArg: --configsvr            | {"args": ["--configsvr", "--replSet", "cfg"]}                     | true
            ifArg: --configsvr            | {"args": ["--configsvr=true"]}                                    | true
            ifArg: --configsvr            | {"args": ["--configsvrx"]}                                        | false
            ifArg: --configsvr            | {}                                                                | false
            ifArg: --experimental.plugins | {"args": ["--experimental.plugins.demo.modulename=x"]}            | true
            ifArg: start-dev              | {"command": ["/opt/keycloak/bin/kc.sh"], "args": ["start-dev"]}   | true
            ifArg: start-dev              | {"args": ["start-devx"]}                                          | false
            unlessArg: --optimized        | {"args": ["start", "--optimized"]}                                | false
            unlessArg: --optimized        | {"args": ["start"]}                                               | true
            ifEnv: VAULT_LOCAL_CONFIG     | {"env": [{"name": "VAULT_LOCAL_CONFIG", "value": "{}"}]}          | true
            ifEnv: VAULT_LOCAL_CONFIG     | {"env": [{"name": "VAULT_LOCAL_CONFIG", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]} | true
            ifEnv: VAULT_LOCAL_CONFIG     | {"env": [{"name": "OTHER", "value": "x"}]}                        | false
            ifEnv: GF_LOG_MODE=file       | {"env": [{"name": "GF_LOG_MODE", "value": "console file"}]}       | true
            ifEnv: GF_LOG_MODE=file       | {"env": [{"name": "GF_LOG_MODE", "value": "console"}]}            | false
            ifEnv: GF_LOG_MODE=file       | {"env": [{"name": "GF_LOG_MODE", "value": "filex"}]}              | false
            unlessEnv: KAFKA_LOG_DIRS     | {"env": [{"name": "KAFKA_LOG_DIRS", "value": "/var/lib/kafka/data"}]} | false
            unlessEnv: KAFKA_LOG_DIRS     | {}                                                                | true
            """)
    void conditionsOnTheContainer(String condition, String container, boolean applies) throws Exception {
        String[] kv = condition.split(": ");
        CatalogPath p = new CatalogPath("/x", PathType.SCRATCH, null, null, null, null, null, null, null, null, null,
                kv[0].equals("ifArg") ? kv[1] : null, kv[0].equals("unlessArg") ? kv[1] : null,
                kv[0].equals("ifEnv") ? kv[1] : null, kv[0].equals("unlessEnv") ? kv[1] : null, null, null);
        assertThat(p.appliesTo(new com.fasterxml.jackson.databind.ObjectMapper().readTree(container))).isEqualTo(applies);
    }

    /** Tag conditions: a digest alone counts as the newest version and matches no tag glob (docs/catalog.md). */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = ';', textBlock = """
            tag=*ubi*            ; mariadb:11.8-ubi9      ; true
            tag=*ubi*            ; mariadb:11.8           ; false
            tag=*ubi*            ; mariadb@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef ; false
            unlessTag=*fpm*|cli* ; wordpress:6-fpm-alpine ; false
            unlessTag=*fpm*|cli* ; wordpress:cli-2.12     ; false
            unlessTag=*fpm*|cli* ; wordpress:6.8          ; true
            unlessTag=*fpm*|cli* ; wordpress@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef ; true
            majorAtLeast=18      ; postgres@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef ; true
            majorBelow=18        ; postgres@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef ; false
            majorBelow=18        ; postgres:17.2@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef ; true
            """)
    void tagConditions(String condition, String image, boolean applies) {
        String[] kv = condition.split("=", 2);
        CatalogPath p = new CatalogPath("/x", PathType.SCRATCH, null, null,
                kv[0].equals("majorAtLeast") ? Integer.valueOf(kv[1]) : null, kv[0].equals("majorBelow") ? Integer.valueOf(kv[1]) : null,
                kv[0].equals("tag") ? kv[1] : null, kv[0].equals("unlessTag") ? kv[1] : null,
                null, null, null, null, null, null, null, null, null);
        assertThat(p.appliesTo(dev.rofsguard.image.ImageReference.parse(image).orElseThrow())).isEqualTo(applies);
    }

    /** Every shipped entry states its evidence (URLs). */
    @Test
    void everyShippedEntryHasEvidence() {
        assertThat(shipped.entries()).allSatisfy(e -> assertThat(e.evidence()).as(e.name()).isNotEmpty()
                .allSatisfy(ev -> assertThat(ev).startsWith("https://")));
    }

    private static List<String> list(String csv) {
        return "-".equals(csv) ? List.of() : Arrays.asList(csv.split(","));
    }
}

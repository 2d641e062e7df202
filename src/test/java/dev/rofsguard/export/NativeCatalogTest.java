package dev.rofsguard.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rofsguard.catalog.Catalog;
import dev.rofsguard.catalog.CatalogEntry;
import dev.rofsguard.config.PolicyLoader;
import dev.rofsguard.engine.EngineConfig;
import dev.rofsguard.image.ImagePattern;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The CEL the native engine is compiled to, where it can be checked without an API server: image normalisation
 * against the Java normaliser on one table of references, and the API server's size limit. (What the policies do is
 * checked on the real API server: e2e/NativeAdmissionE2E.)
 */
class NativeCatalogTest {

    /** References as pod specs write them: Docker Hub short forms, registries, mirrors, tags, digests, and wrong ones. */
    static final List<String> REFERENCES = List.of(
            "nginx", "nginx:1.27", "nginx:1.27-alpine", "library/nginx", "docker.io/nginx", "docker.io/library/nginx:1",
            "index.docker.io/library/nginx", "nginx@sha256:" + "a".repeat(64), "nginx:1.27@sha256:" + "b".repeat(64),
            "mirror.gcr.io/library/nginx:1.27-alpine", "public.ecr.aws/docker/library/nginx", "public.ecr.aws/nginx/nginx:1",
            "harbor.example.com/dockerhub-proxy/library/nginx", "harbor.example.com/hub/nginx:1.27", "harbor.example.com/hub/library/postgres:18",
            "localhost:5000/library/nginx", "localhost/library/nginx:bookworm", "myuser/nginx", "acme/library/nginx",
            "ghcr.io/acme/nginx", "nginxinc/nginx-unprivileged:1.27", "ghcr.io/nginx/nginx-unprivileged", "postgres:17",
            "postgres:18.1-trixie", "docker.io/bitnami/postgresql:16", "registry.k8s.io/ingress-nginx/controller:v1.12.0",
            "k8s.gcr.io/ingress-nginx/controller", "redis", "redis:8-alpine", "mariadb:11-ubi", "php:8.4-apache", "php:8.4-fpm",
            "wordpress:6-fpm", "grafana/grafana:11.2.0", "quay.io/prometheus/prometheus", "NGINX", "nginx:", "nginx:1 .27",
            "ghcr.io/acme/api:1", "busybox");

    @Test
    void theCatalogsRegexesMatchWhatTheJavaNormaliserMatches() throws Exception {
        assertThat(withMirrors().catalog().mirrors()).containsExactly("harbor.example.com/hub");
        for (EngineConfig config : List.of(PolicyLoader.load(null, null), withMirrors())) {
            Catalog catalog = config.catalog();
            for (String image : REFERENCES) {
                String java = catalog.match(image).map(Catalog.Match::entry).orElse("");
                String cel = "";
                for (CatalogEntry e : catalog.entries()) {
                    // The patterns run in the API server as RE2 through CEL's matches(): these use no construct where
                    // RE2 and java.util.regex differ (no backreferences, lookaround or possessive quantifiers).
                    if (e.images().stream().map(p -> p.catalogRegex(catalog.mirrors())).anyMatch(re -> Pattern.compile(re).matcher(image).find())) {
                        cel = e.name();
                        break;
                    }
                }
                if (cel.isEmpty() && !catalog.allImages().isEmpty() && catalog.validReference(image)) {
                    cel = "all-images";
                }
                assertThat(cel).as(image + " (mirrors " + catalog.mirrors() + ")").isEqualTo(java);
            }
        }
    }

    @Test
    void noRegexUsesWhatRe2Lacks() throws Exception {
        Catalog catalog = PolicyLoader.load(null, null).catalog();
        for (CatalogEntry e : catalog.entries()) {
            for (ImagePattern p : e.images()) {
                assertThat(p.catalogRegex(catalog.mirrors())).as(e.name()).doesNotContain("(?=", "(?!", "(?<", "\\1", "*+", "++");
            }
        }
    }

    /** The API server refuses an expression over 100,000 code points: every one the export writes stays under. */
    @Test
    void everyExpressionFitsTheApiServersLimit() throws Exception {
        for (boolean hybrid : List.of(false, true)) {
            for (ObjectNode o : NativePolicies.compile(PolicyLoader.load(null, null), hybrid)) {
                for (JsonNode expression : o.findValues("expression")) {
                    assertThat(expression.asText().codePointCount(0, expression.asText().length()))
                            .as(o.at("/metadata/name").asText()).isLessThan(100_000);
                }
            }
        }
    }

    private static EngineConfig withMirrors() throws Exception {
        Path policy = Files.createTempFile("policy", ".yaml");
        Files.writeString(policy, "catalog:\n  mirrors: [harbor.example.com/hub]\n");
        return PolicyLoader.load(policy, null);
    }
}

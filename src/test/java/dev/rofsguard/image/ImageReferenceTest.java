package dev.rofsguard.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImageReferenceTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            # reference                                        | registry                  | repository                | tag        | digest
            nginx                                              | docker.io                 | library/nginx             | -          | -
            nginx:1.27-alpine                                  | docker.io                 | library/nginx             | 1.27-alpine | -
            docker.io/library/nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef | docker.io | library/nginx | - | sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
            index.docker.io/library/nginx:1.27                 | docker.io                 | library/nginx             | 1.27       | -
            nginxinc/nginx-unprivileged:1.27                   | docker.io                 | nginxinc/nginx-unprivileged | 1.27     | -
            registry.example.com:5000/team/nginx:v2            | registry.example.com:5000 | team/nginx                | v2         | -
            localhost/nginx                                    | localhost                 | nginx                     | -          | -
            localhost:5000/nginx:dev                           | localhost:5000            | nginx                     | dev        | -
            mirror.gcr.io/library/nginx                        | mirror.gcr.io             | library/nginx             | -          | -
            ghcr.io/acme/api:1.8.0                             | ghcr.io                   | acme/api                  | 1.8.0      | -
            registry.k8s.io/pause:3.9                          | registry.k8s.io           | pause                     | 3.9        | -
            postgres:17@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef | docker.io | library/postgres | 17 | sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
            [::1]:5000/team/app:1                              | [::1]:5000                | team/app                  | 1          | -
            a.b/c__d/e-f.g:TAG_1                               | a.b                       | c__d/e-f.g                | TAG_1      | -
            """)
    void parsesAndNormalises(String reference, String registry, String repository, String tag, String digest) {
        ImageReference ref = ImageReference.parse(reference).orElseThrow();
        assertThat(ref.registry()).isEqualTo(registry);
        assertThat(ref.repository()).isEqualTo(repository);
        assertThat(ref.tag()).isEqualTo(tag);
        assertThat(ref.digest()).isEqualTo(digest);
    }

    @ParameterizedTest(name = "''{0}'' is not a reference")
    @ValueSource(strings = {"", "NGINX", "nginx:", "nginx@sha256:short", "-nginx", "nginx/", "//nginx", "nginx::1",
            "ghcr.io/Acme/app", "nginx:tag with space", "nginx:-leadingdash", "a..b/c", "registry.example.com:port/app"})
    void unparsableIsEmptyNeverAnException(String reference) {
        assertThat(ImageReference.parse(reference)).isEmpty();
    }

    @ParameterizedTest(name = "{0} ~ {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            # pattern                      | image                                   | matches
            nginx                          | nginx                                   | true
            nginx                          | nginx:1.27                              | true
            nginx                          | docker.io/library/nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef | true
            nginx                          | evil.example/nginx                      | false
            nginx                          | mirror.gcr.io/library/nginx             | false
            docker.io/library/nginx        | evil.example/library/nginx              | false
            evil.example/nginx             | nginx                                   | false
            evil.example/nginx             | evil.example/nginx:1                    | true
            */library/nginx                | mirror.gcr.io/library/nginx:1.27        | true
            */library/nginx                | nginx                                   | true
            */library/nginx                | ghcr.io/library/nginx-extra             | false
            nginx:1.27-*                   | nginx:1.27-alpine                       | true
            nginx:1.27-*                   | nginx:1.26-alpine                       | false
            nginx:latest                   | nginx                                   | true
            nginx:1.*                      | nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef | false
            ghcr.io/acme/*                 | ghcr.io/acme/api:1                      | true
            ghcr.io/acme/*                 | ghcr.io/acme/team/api:1                 | false
            ghcr.io/acme/**                | ghcr.io/acme/team/api:1                 | true
            registry.k8s.io/pause          | registry.k8s.io/pause:3.9               | true
            registry.k8s.io/pause          | evil.example/registry.k8s.io/pause:3.9  | false
            localhost/nginx                | localhost/nginx:dev                     | true
            nginx                          | NOT A REFERENCE                         | false
            """)
    void patternsAreRegistryAnchored(String pattern, String image, boolean matches) {
        assertThat(ImagePattern.parse(pattern).matches(image)).isEqualTo(matches);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "Nginx/UPPER", "nginx@sha256:nothex"})
    void badPatternsAreRefusedWithAReason(String pattern) {
        assertThatThrownBy(() -> ImagePattern.parse(pattern)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("image pattern");
    }
}

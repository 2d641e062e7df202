package dev.rofsguard.discover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rofsguard.Fixtures;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class DiscoveryTest {

    private static List<Discovery.Proposal> propose(String file) {
        return Discovery.propose(new String(Fixtures.bytes("discover/" + file), StandardCharsets.UTF_8));
    }

    @Test
    void dockerDiffOfNginxGivesItsCatalogPaths() {
        assertThat(propose("nginx-docker-diff.txt")).extracting(Discovery.Proposal::path, Discovery.Proposal::type)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("/etc/nginx/conf.d", "scratch"),
                        org.assertj.core.groups.Tuple.tuple("/run", "scratch"),
                        org.assertj.core.groups.Tuple.tuple("/var/cache/nginx", "scratch"));
    }

    @Test
    void postgresLogsGiveTheSocketDirAndTheDataDir() {
        assertThat(propose("postgres-logs.txt")).extracting(Discovery.Proposal::path, Discovery.Proposal::type)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("/var/lib/postgresql", "data"),
                        org.assertj.core.groups.Tuple.tuple("/var/run", "scratch"));
    }

    @Test
    void nginxNodeAndJvmPhrasingsAreRecognised() {
        assertThat(propose("mixed-logs.txt")).extracting(Discovery.Proposal::path)
                .containsExactly("/app/.next/cache/images", "/tmp", "/var/cache/nginx");
    }

    @Test
    void rendersAnEntryAndASnippet() {
        String out = Discovery.render("web", "ghcr.io/acme/web", propose("postgres-logs.txt"));
        assertThat(out).contains("images: [ghcr.io/acme/web]").contains("{path: /var/lib/postgresql, type: data}")
                .contains("readOnlyRootFilesystem: true").contains("persistentVolumeClaim").contains("emptyDir: {sizeLimit: 128Mi}");
    }
}

package dev.rofsguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rofsguard.Fixtures;
import dev.rofsguard.catalog.CatalogEntry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** `rofs-guard catalog` and `catalog show IMAGE`, run through the same picocli tree as the jar. */
class CatalogCommandTest {

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new Cli());
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        int exit = cmd.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void theCliSelectsTheCatalogCommand() {
        assertThat(Cli.startsServer("catalog")).isFalse();
        assertThat(Cli.commandLine().execute("catalog", "--help")).isZero();
    }

    @Test
    void listsEveryEntryWithItsPathsByTypeAndEvidenceAsJson() throws Exception {
        Run run = run("catalog", "-o", "json");
        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode root = new ObjectMapper().readTree(run.out());
        List<String> names = new ArrayList<>();
        root.path("entries").forEach(e -> names.add(e.path("name").asText()));
        assertThat(names).containsExactlyElementsOf(Fixtures.engine("-").config().catalog().entries().stream().map(CatalogEntry::name).toList());
        JsonNode mongo = null;
        for (JsonNode e : root.path("entries")) {
            if (e.path("name").asText().equals("mongo")) {
                mongo = e;
            }
            assertThat(e.path("evidence").size()).as(e.path("name").asText()).isPositive();
        }
        assertThat(mongo).isNotNull();
        assertThat(mongo.path("paths").findValuesAsText("ifArg")).containsExactly("--configsvr");
        assertThat(mongo.path("paths").findValuesAsText("unlessArg")).containsExactly("--configsvr");
    }

    @Test
    void listsEntriesAsText() {
        Run run = run("catalog");
        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("ingress-nginx-controller").contains("  seeded:   /etc/nginx (64Mi), /etc/ingress-controller (64Mi)")
                .contains("  data:     /data/db (unless --configsvr is given; moved by --dbpath), /data/configdb (if --configsvr is given; moved by --dbpath)")
                .contains("  needs:    SKIP_SETCAP set").contains("evidence: https://github.com/docker-library/postgres/");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            harbor.example.com/dockerhub-proxy/library/postgres:16 | entry:     postgres | data      /var/lib/postgresql/data | left alone (no flag): keeps data at /var/lib/postgresql/data
            postgres:18                                         | entry:     postgres  | obsolete  /var/lib/postgresql/data | left alone (no flag): keeps data at /var/lib/postgresql
            ghcr.io/nginx/nginx-unprivileged:1.27               | entry:     nginx-unprivileged | scratch   /tmp          | emptyDirs: /tmp
            registry.k8s.io/ingress-nginx/controller:v1.12.1    | entry:     ingress-nginx-controller | seeded    /etc/nginx | seeded by: init container rofs-seed-app
            mariadb:11.8-ubi9                                   | entry:     mariadb   | scratch   /run/mariadb               | emptyDirs: /run/mysqld, /run/mariadb, /tmp
            hashicorp/vault:1.19                                | entry:     vault     | needs:     SKIP_SETCAP              | left alone (no flag): needs SKIP_SETCAP
            ghcr.io/acme/api:1                                  | entry:     none      | entry:     none                      | does not know this image
            """)
    void showExplainsOneReference(String image, String entry, String path, String bare) {
        Run run = run("catalog", "show", image);
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains(entry).contains(path).contains(bare);
    }

    @Test
    void showSaysADigestAloneIsTheNewestVersion() {
        Run run = run("catalog", "show", "postgres@sha256:" + "0123456789abcdef".repeat(4));
        assertThat(run.out()).contains("counts as the newest version").contains("data      /var/lib/postgresql (tags >= 18");
    }

    @Test
    void showRefusesABadReference() throws Exception {
        Run run = run("catalog", "show", "NGINX:1.27");
        assertThat(run.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.out()).contains("not a valid image reference");
        JsonNode json = new ObjectMapper().readTree(run("catalog", "-o", "json", "show", "nginx::1").out());
        assertThat(json.path("valid").asBoolean()).isFalse();
    }

    @Test
    void showReadsTheUsersMirrorPrefixes(@TempDir Path dir) throws Exception {
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, "catalog:\n  mirrors: [cache.corp.example]\n");
        assertThat(run("catalog", "show", "cache.corp.example/nginx:1.27").out()).contains("entry:     none");
        Run mirrored = run("catalog", "-c", policy.toString(), "-o", "json", "show", "cache.corp.example/nginx:1.27");
        JsonNode json = new ObjectMapper().readTree(mirrored.out());
        assertThat(json.path("entry").asText()).isEqualTo("nginx");
        assertThat(json.path("reference").asText()).isEqualTo("docker.io/library/nginx:1.27");
        assertThat(json.path("bareContainer").path("emptyDirs").toString()).isEqualTo("[\"/var/cache/nginx\",\"/var/run\"]");
    }
}

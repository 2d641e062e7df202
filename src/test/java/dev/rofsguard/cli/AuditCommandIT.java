package dev.rofsguard.cli;

import static dev.rofsguard.cli.ReviewCommandIT.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rofsguard.Fixtures;
import dev.rofsguard.admission.AdmissionReviews;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** `java -jar quarkus-run.jar audit …` as CI runs it: exit codes for every format, stdin, files, --fix. */
class AuditCommandIT {

    private static String manifest(String name) {
        return Fixtures.path("manifests/" + name).toString();
    }

    @ParameterizedTest(name = "{0} -o {1} --mode {2} -> {3}")
    @CsvSource(delimiter = '|', textBlock = """
            good.yaml    | text  | enforce | 0
            good.yaml    | sarif | enforce | 0
            bad.yaml     | text  | enforce | 1
            bad.yaml     | json  | enforce | 1
            bad.yaml     | sarif | enforce | 1
            bad.yaml     | junit | enforce | 1
            bad.yaml     | text  | warn    | 0
            bad.yaml     | junit | audit   | 0
            broken.yaml  | text  | enforce | 2
            broken.yaml  | json  | warn    | 2
            """)
    void exitCodes(String manifest, String format, String mode, int exit) throws Exception {
        ReviewCommandIT.Run run = run(null, "audit", "-o", format, "--mode", mode, manifest(manifest));
        assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(exit);
        switch (format) {
            case "json", "sarif" -> assertThat(AdmissionReviews.mapper().readTree(run.out()).isObject()).isTrue();
            case "junit" -> assertThat(run.out()).startsWith("<?xml");
            default -> assertThat(run.out()).contains("workload objects");
        }
        assertThat(run.out()).doesNotContain("\u001b["); // no colour when not on a terminal
    }

    @Test
    void readsStdinLikeHelmTemplateOutput() throws Exception {
        ReviewCommandIT.Run run = run(Files.readAllBytes(Path.of(manifest("mixed.yaml"))), "audit", "-");
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).contains("-\n").contains("19: containers \"exporter\"").contains("58: containers \"report\"");
    }

    @Test
    void writesTheReportToAFile(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("report.sarif");
        ReviewCommandIT.Run run = run(null, "audit", "-o", "sarif", "--output-file", out.toString(), manifest("bad.yaml"));
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(AdmissionReviews.mapper().readTree(out.toFile()).at("/runs/0/results").size()).isEqualTo(2);
    }

    @Test
    void fixedManifestsPassTheAudit(@TempDir Path dir) throws Exception {
        String deployment = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, namespace: shop}
                spec:
                  template:
                    spec:
                      containers:
                        - {name: web, image: nginx:1.27}
                """;
        Path in = dir.resolve("web.yaml");
        Files.writeString(in, deployment + "---\n" + Files.readString(Path.of(manifest("nginx-pod.json"))));
        ReviewCommandIT.Run fixed = run(null, "audit", "--fix", in.toString());
        assertThat(fixed.exit()).as(fixed.err()).isZero();
        assertThat(fixed.out()).contains("mountPath: /var/cache/nginx").contains("readOnlyRootFilesystem: true")
                .doesNotContain("rofs-guard.dev/mutated");
        Path out = dir.resolve("fixed.yaml");
        Files.writeString(out, fixed.out());
        // Judged as they stand (no mutation to count on), the fixed manifests are compliant.
        Path policy = dir.resolve("no-mutation.yaml");
        Files.writeString(policy, "mutation: {enabled: false}\n");
        ReviewCommandIT.Run audit = run(null, "audit", "--config", policy.toString(), out.toString());
        assertThat(audit.exit()).as(audit.out()).isZero();
        assertThat(audit.out()).contains("2 workload objects: 0 failed, 2 passed");
    }

    @Test
    void patchesForKustomize() throws Exception {
        ReviewCommandIT.Run run = run(null, "audit", "--fix=patches", manifest("mixed.yaml"));
        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("patches:").contains("kind: StatefulSet").contains("name: db")
                .contains("/spec/template/spec/containers/0/volumeMounts/-");
    }

    @Test
    void usageErrorsExitWith2() throws Exception {
        assertThat(run(null, "audit").exit()).isEqualTo(2);
        assertThat(run(null, "audit", "-o", "xml", manifest("good.yaml")).exit()).isEqualTo(2);
        assertThat(run(null, "audit", "--mode", "strict", manifest("good.yaml")).exit()).isEqualTo(2);
        assertThat(run(null, "audit", "/no/such/dir.yaml").exit()).isEqualTo(2);
    }
}

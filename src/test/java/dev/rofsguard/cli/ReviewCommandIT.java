package dev.rofsguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rofsguard.Fixtures;
import dev.rofsguard.admission.AdmissionReviews;
import dev.rofsguard.admission.ValidatingAdmission;
import dev.rofsguard.policy.Mode;
import dev.rofsguard.engine.Judge;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The packaged jar as users run it: `java -jar quarkus-run.jar review …` answers like the server, boots no server. */
class ReviewCommandIT {

    private static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");

    record Run(int exit, String out, String err) {
    }

    static Run run(byte[] stdin, String... args) throws IOException, InterruptedException {
        return run(java.util.Map.of(), stdin, args);
    }

    /** @param env variables to set; a null value removes the variable */
    static Run run(java.util.Map<String, String> env, byte[] stdin, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(cmd);
        env.forEach((k, v) -> {
            if (v == null) {
                builder.environment().remove(k);
            } else {
                builder.environment().put(k, v);
            }
        });
        Process p = builder.start();
        if (stdin != null) {
            p.getOutputStream().write(stdin);
        }
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0} --mode {1} -> exit {2}")
    @CsvSource(delimiter = '|', textBlock = """
            pod-create-by-replicaset.json   | enforce | 1
            pod-create-by-replicaset.json   | warn    | 0
            pod-create-compliant.json       | enforce | 0
            pod-ephemeral-update.json       | enforce | 1
            pod-update-finalizer.json       | enforce | 0
            deployment-create.json          | audit   | 0
            configmap-create.json           | enforce | 0
            """)
    void answersExactlyAsTheWebhookDoes(String fixture, String mode, int exit) throws Exception {
        Run run = run(null, "review", "--mode", mode, Fixtures.path("admission/" + fixture).toString());
        assertThat(run.exit()).as(run.err()).isEqualTo(exit);
        Judge engine = Fixtures.engine("-");
        JsonNode expected = AdmissionReviews.mapper().readTree(
                new ValidatingAdmission(() -> engine).validate(Fixtures.review(fixture), Mode.parse(mode).orElseThrow(), true).body());
        assertThat(AdmissionReviews.mapper().readTree(run.out())).isEqualTo(expected);
        // No server: Quarkus never booted, so it never logged its start line nor bound a port.
        assertThat(run.out() + run.err()).doesNotContain("Listening on", "started in");
    }

    @Test
    void mutateAnswersAsPostMutate() throws Exception {
        Run run = run(null, "review", "--mutate", Fixtures.path("admission/pod-create-by-replicaset.json").toString());
        assertThat(run.exit()).as(run.err()).isZero();
        Judge engine = Fixtures.engine("-");
        JsonNode expected = AdmissionReviews.mapper().readTree(new dev.rofsguard.admission.MutatingAdmission(() -> engine)
                .mutate(Fixtures.review("pod-create-by-replicaset.json")).body());
        assertThat(AdmissionReviews.mapper().readTree(run.out())).isEqualTo(expected);
        assertThat(expected.path("response").path("patchType").asText()).isEqualTo("JSONPatch");
    }

    @Test
    void readsStdin() throws Exception {
        Run run = run(Fixtures.review("pod-create-compliant.json"), "review", "-");
        assertThat(run.exit()).isZero();
        assertThat(AdmissionReviews.mapper().readTree(run.out()).path("response").path("allowed").asBoolean()).isTrue();
    }

    @Test
    void badInputAndBadConfigExitWith2() throws Exception {
        Run garbage = run("{oops".getBytes(StandardCharsets.UTF_8), "review", "-");
        assertThat(garbage.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(AdmissionReviews.mapper().readTree(garbage.out()).path("message").asText()).contains("not valid JSON");

        Run config = run(null, "review", "--config", Fixtures.path("policy/broken-mode.yaml").toString(),
                Fixtures.path("admission/pod-create-compliant.json").toString());
        assertThat(config.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(config.err()).contains("mode 'strict' is not one of enforce, warn, audit");

        Run missing = run(null, "review", "/no/such/file.json");
        assertThat(missing.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(missing.err()).contains("cannot read /no/such/file.json: no such file or directory");

        Run usage = run(null, "review", "--bogus");
        assertThat(usage.exit()).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void aManifestPipedIntoReviewIsNamedAndPointedToAudit() throws Exception {
        Run yaml = run(Fixtures.bytes("manifests/mixed.yaml"), "review", "-");
        assertThat(yaml.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(yaml.out()).isEmpty();
        assertThat(yaml.err()).contains("stdin is 4 manifest documents, the first a StatefulSet (db), not an AdmissionReview")
                .contains("rofs-guard audit -").doesNotContain("webhook");
        Run json = run(null, "review", Fixtures.path("manifests/nginx-pod.json").toString());
        assertThat(json.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(json.err()).contains("is a Pod").contains("rofs-guard audit ");
    }

    @Test
    void configFileIsHonoured() throws Exception {
        Run run = run(null, "review", "--config", Fixtures.path("policy/annotations-allowed.yaml").toString(),
                Fixtures.path("admission/pod-create-exempt-annotation.json").toString());
        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("exempt by annotation");
    }
}

package dev.rofsguard.cli;

import static dev.rofsguard.cli.ReviewCommandIT.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rofsguard.Fixtures;
import com.fasterxml.jackson.databind.JsonNode;
import dev.rofsguard.admission.AdmissionReviews;
import dev.rofsguard.manifest.ManifestReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
        assertThat(audit.out()).startsWith("2 workload objects (mode enforce): 0 failed, 0 errors, 0 pass after admission, 2 passed");
    }

    @Test
    void patchesForKustomize() throws Exception {
        ReviewCommandIT.Run run = run(null, "audit", "--fix=patches", manifest("mixed.yaml"));
        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("patches:").contains("kind: StatefulSet").contains("name: db")
                .contains("/spec/template/spec/containers/0/volumeMounts/-");
    }

    /** The real consumer: kubectl kustomize renders the patches, and what it renders passes without the webhook. */
    @Test
    void kustomizeRendersThePatchesAndTheResultPasses(@TempDir Path dir) throws Exception {
        Files.copy(Path.of(manifest("catalog-known.yaml")), dir.resolve("app.yaml"));
        Files.copy(Path.of(manifest("legacy-apis.yaml")), dir.resolve("legacy.yaml"));
        ReviewCommandIT.Run before = run(null, "audit", "--no-mutation", dir.resolve("app.yaml").toString());
        assertThat(before.exit()).as(before.out()).isEqualTo(1);
        ReviewCommandIT.Run patches = run(null, "audit", "--fix=patches", dir.resolve("app.yaml").toString());
        assertThat(patches.exit()).as(patches.err()).isZero();
        Files.writeString(dir.resolve("kustomization.yaml"), "resources:\n  - app.yaml\n" + patches.out());
        Process kustomize = new ProcessBuilder(kubectl(), "kustomize", dir.toString()).redirectError(ProcessBuilder.Redirect.PIPE).start();
        byte[] rendered = kustomize.getInputStream().readAllBytes();
        String err = new String(kustomize.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(kustomize.waitFor()).as(err).isZero();
        ReviewCommandIT.Run after = run(rendered, "audit", "--no-mutation", "-");
        assertThat(after.exit()).as(after.out() + after.err()).isZero();
        assertThat(after.out()).startsWith("2 workload objects (mode enforce): 0 failed, 0 errors, 0 pass after admission, 2 passed");
    }

    /** kustomize (yaml.v3 through kyaml) reads the fixed manifests: quoted numbers, times and hex stay strings. */
    @Test
    void fixedManifestsKeepTheirMeaningThroughKustomize(@TempDir Path dir) throws Exception {
        ReviewCommandIT.Run fixed = run(null, "audit", "--fix", manifest("quoted.yaml"));
        assertThat(fixed.exit()).as(fixed.err()).isZero();
        Files.writeString(dir.resolve("fixed.yaml"), fixed.out());
        Files.writeString(dir.resolve("kustomization.yaml"), "resources:\n  - fixed.yaml\n");
        Process kustomize = new ProcessBuilder(kubectl(), "kustomize", dir.toString()).start();
        String rendered = new String(kustomize.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(kustomize.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(kustomize.waitFor()).as(err).isZero();
        ManifestReader.Result read = ManifestReader.read(List.of("-"), new java.io.ByteArrayInputStream(rendered.getBytes(StandardCharsets.UTF_8)));
        JsonNode web = read.documents().stream().filter(d -> d.object().path("kind").asText().equals("Deployment")).findFirst()
                .orElseThrow().object();
        assertThat(web.at("/metadata/annotations/version").isTextual()).isTrue();
        assertThat(web.at("/metadata/annotations/version").asText()).isEqualTo("3.10");
        assertThat(web.at("/spec/template/spec/containers/0/env")).extracting(e -> e.path("value").isTextual() + " " + e.path("value").asText())
                .containsExactly("true 12:30", "true 0x1F", "true 1_000", "true .inf", "true yes");
        assertThat(web.at("/spec/template/spec/containers/0/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
    }

    /** Compose files go through the same door: judged per service, and --fix edits the YAML as written. */
    @Test
    void composeFilesAreAuditedAndFixedInPlace(@TempDir Path dir) throws Exception {
        Path compose = Path.of("examples/compose.yaml");
        ReviewCommandIT.Run audit = run(null, "audit", compose.toString());
        assertThat(audit.exit()).as(audit.out()).isEqualTo(1);
        assertThat(audit.out()).contains("ComposeService web").contains("ComposeService cache");
        ReviewCommandIT.Run fixed = run(null, "audit", "--fix", compose.toString());
        assertThat(fixed.exit()).as(fixed.err()).isZero();
        assertThat(fixed.out()).contains("# The same front end under Docker Compose").contains("ports: [\"8080:80\"]")
                .contains("read_only: true").contains("/var/cache/nginx:rw,noexec,nosuid");
        Path out = Files.writeString(dir.resolve("compose.yaml"), fixed.out());
        ReviewCommandIT.Run again = run(null, "audit", out.toString());
        assertThat(again.exit()).as(again.out()).isZero();
    }

    private static String kubectl() {
        String k = System.getenv("KUBECTL");
        return k != null ? k : "kubectl";
    }

    @Test
    void everyCommandAnswersHelp() throws Exception {
        for (List<String> args : List.of(List.of("--help"), List.of("audit", "--help"), List.of("review", "--help"),
                List.of("discover", "--help"), List.of("serve", "--help"), List.of("help", "audit"), List.of("audit", "-h"))) {
            ReviewCommandIT.Run run = run(null, args.toArray(String[]::new));
            assertThat(run.exit()).as(args + ": " + run.err()).isZero();
            assertThat(run.out()).as(args.toString()).startsWith("Usage: rofs-guard");
        }
    }

    @Test
    void anUnknownCommandIsAnErrorNotTheServer() throws Exception {
        ReviewCommandIT.Run run = run(null, "adit", "x.yaml");
        assertThat(run.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("'adit'").contains("Did you mean: audit");
        assertThat(run.out() + run.err()).doesNotContain("Listening on", "started in");
    }

    @Test
    void aBadOptionIsOneLineAndAHint() throws Exception {
        ReviewCommandIT.Run run = run(null, "audit", "--formt", "json", manifest("good.yaml"));
        assertThat(run.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines()).hasSizeLessThanOrEqualTo(3).first().asString().startsWith("rofs-guard audit: Unknown option: '--formt'");
        assertThat(run.err()).contains("Try 'rofs-guard audit --help'");
    }

    @Test
    void kubectlHabits(@TempDir Path dir) throws Exception {
        // -n is the namespace of objects that name none (as kubectl apply -n)
        ReviewCommandIT.Run ns = run(null, "audit", "-n", "shop", "-o", "json", manifest("bad.yaml"), "-f", manifest("nginx-pod.json"));
        assertThat(ns.exit()).isEqualTo(1);
        JsonNode json = AdmissionReviews.mapper().readTree(ns.out());
        assertThat(json.path("objects")).extracting(o -> o.path("namespace").asText() + "/" + o.path("name").asText())
                .containsExactly("shop/legacy", "shop/web");
        ReviewCommandIT.Run output = run(null, "audit", "--output", "sarif", "--filename", manifest("good.yaml"));
        assertThat(output.exit()).isZero();
        assertThat(AdmissionReviews.mapper().readTree(output.out()).path("version").asText()).isEqualTo("2.1.0");
        ReviewCommandIT.Run former = run(null, "audit", "--format", "json", manifest("good.yaml"));
        assertThat(AdmissionReviews.mapper().readTree(former.out()).path("schemaVersion").asInt()).isEqualTo(1);
    }

    @Test
    void clusterAccessErrorsSayWhatIsMissing(@TempDir Path home) throws Exception {
        Map<String, String> noKubeconfig = new HashMap<>();
        noKubeconfig.put("KUBECONFIG", null);
        noKubeconfig.put("KUBERNETES_SERVICE_HOST", null);
        noKubeconfig.put("HOME", home.toString());
        ReviewCommandIT.Run none = run(noKubeconfig, null, "audit", "--cluster");
        assertThat(none.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(none.err().strip()).doesNotContain("\n").contains("no kubeconfig").contains("--kubeconfig FILE")
                .doesNotContain("Exception");
        ReviewCommandIT.Run missing = run(noKubeconfig, null, "audit", "--cluster", "--kubeconfig", home.resolve("nope").toString());
        assertThat(missing.err()).contains("--kubeconfig " + home.resolve("nope") + ": no such file");
        Path kubeconfig = home.resolve("config");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
                users: [{name: u, user: {token: t}}]
                contexts: [{name: dev, context: {cluster: c, user: u}}]
                current-context: dev
                """);
        ReviewCommandIT.Run context = run(noKubeconfig, null, "audit", "--cluster", "--kubeconfig", kubeconfig.toString(), "--context", "prod");
        assertThat(context.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(context.err()).contains("--context prod: no such context in the kubeconfig (it has dev)");
        ReviewCommandIT.Run refused = run(noKubeconfig, null, "audit", "--cluster", "--kubeconfig", kubeconfig.toString(), "--context", "dev");
        assertThat(refused.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(refused.err().strip().lines()).singleElement().asString().startsWith("audit: cannot list the cluster (context dev): ");
    }

    @Test
    void emptyInputIsAnInputError() throws Exception {
        ReviewCommandIT.Run run = run(new byte[0], "audit", "-");
        assertThat(run.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("no manifest documents read").contains("did the command before the pipe fail?");
        ReviewCommandIT.Run comments = run("# only a comment\n---\n".getBytes(StandardCharsets.UTF_8), "audit", "-o", "json", "-");
        assertThat(comments.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(AdmissionReviews.mapper().readTree(comments.out()).at("/summary/inputErrors").asInt()).isEqualTo(1);
    }

    @Test
    void filesThatAreNotManifestsAreNamed(@TempDir Path dir) throws Exception {
        Path binary = dir.resolve("logo.yaml");
        Files.write(binary, new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0});
        ReviewCommandIT.Run run = run(null, "audit", binary.toString(), dir.resolve("missing.yaml").toString(), manifest("good.yaml"));
        assertThat(run.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains(binary + ": a binary file").contains("missing.yaml: no such file or directory")
                .doesNotContain("Input length");
        // errors go to stderr; the report on stdout counts them
        assertThat(run.out()).doesNotContain("binary").contains("2 input errors (on stderr)");
    }

    @Test
    void aHelmChartFolderSaysRenderItFirstAndExcludeSkipsIt() throws Exception {
        ReviewCommandIT.Run chart = run(null, "audit", manifest("helm-chart"));
        assertThat(chart.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(chart.err().lines().filter(l -> l.contains("render with helm template first")).count()).isEqualTo(2);
        assertThat(chart.err().lines().count()).isEqualTo(2);
        ReviewCommandIT.Run excluded = run(null, "audit", "--exclude", "helm-chart/**", "--exclude", "broken.yaml",
                Fixtures.path("manifests").toString());
        assertThat(excluded.err()).isEmpty();
        assertThat(excluded.exit()).isEqualTo(1);
    }

    @Test
    void removedApiVersionsAreJudged() throws Exception {
        ReviewCommandIT.Run run = run(null, "audit", manifest("legacy-apis.yaml"));
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).startsWith("3 workload objects").contains("extensions/v1beta1 Deployment was removed in Kubernetes 1.16");
    }

    @Test
    void textIsAsciiWhenTheLocaleIsNotUtf8() throws Exception {
        ReviewCommandIT.Run ascii = run(Map.of("LC_ALL", "C", "LANG", "C"), null, "audit", manifest("mixed.yaml"));
        assertThat(ascii.out().chars()).allMatch(c -> c < 0x80);
        assertThat(ascii.out()).contains("StatefulSet shop/db - fail");
        ReviewCommandIT.Run utf8 = run(Map.of("LC_ALL", "C.UTF-8"), null, "audit", manifest("mixed.yaml"));
        assertThat(utf8.out()).contains("StatefulSet shop/db \u2014 fail");
    }

    @Test
    void quietPrintsOnlyFindings() throws Exception {
        ReviewCommandIT.Run run = run(null, "audit", "-q", manifest("mixed.yaml"));
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out().lines()).hasSize(2);
    }

    @Test
    void policyReportsForTheCluster() throws Exception {
        ReviewCommandIT.Run run = run(null, "audit", "-o", "policyreport", manifest("mixed.yaml"));
        assertThat(run.exit()).isEqualTo(1);
        ManifestReader.Result read = ManifestReader.read(List.of("-"), new java.io.ByteArrayInputStream(run.out().getBytes(StandardCharsets.UTF_8)));
        assertThat(read.errors()).isEmpty();
        assertThat(read.documents()).extracting(d -> d.object().path("kind").asText() + " " + d.object().at("/metadata/namespace").asText())
                .containsExactly("PolicyReport monitoring", "PolicyReport shop");
    }

    @Test
    void usageErrorsExitWith2() throws Exception {
        assertThat(run(null, "audit").exit()).isEqualTo(2);
        assertThat(run(null, "audit", "-o", "xml", manifest("good.yaml")).exit()).isEqualTo(2);
        assertThat(run(null, "audit", "--mode", "strict", manifest("good.yaml")).exit()).isEqualTo(2);
        assertThat(run(null, "audit", "/no/such/dir.yaml").exit()).isEqualTo(2);
        assertThat(run(null, "audit", "--fix=sideways", manifest("good.yaml")).exit()).isEqualTo(2);
    }
}

package dev.rofsguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rofsguard.Fixtures;
import dev.rofsguard.admission.AdmissionRequest;
import dev.rofsguard.admission.AdmissionReviews;
import dev.rofsguard.admission.BadReviewException;
import dev.rofsguard.engine.Judge;
import dev.rofsguard.engine.Origin;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The rule over AdmissionReview fixtures: one row per scenario (fixture, policy over defaults, mode, expectations). */
class PolicyEngineTest {

    @ParameterizedTest(name = "{0} [{1}, {2}] -> {3}")
    @CsvSource(delimiter = '|', textBlock = """
            # fixture                                  | policy                   | mode    | outcome | allowed | violating containers   | exemptions
            pod-create-compliant.json                  | -                        | enforce | PASS    | true    | -                      | -
            pod-create-by-replicaset.json              | -                        | enforce | FAIL    | false   | nginx                  | -
            pod-create-no-security-context.json        | -                        | enforce | FAIL    | false   | api                    | -
            pod-create-missing-flag.json               | -                        | enforce | FAIL    | false   | api                    | -
            pod-create-flag-false.json                 | -                        | enforce | FAIL    | false   | api                    | -
            pod-create-flag-string.json                | -                        | enforce | FAIL    | false   | api                    | -
            pod-init-container-missing-flag.json       | -                        | enforce | FAIL    | false   | migrate                | -
            pod-create-ephemeral-in-spec.json          | -                        | enforce | FAIL    | false   | debug                  | -
            pod-create-two-bad-containers.json         | -                        | enforce | FAIL    | false   | api,sidecar            | -
            pod-create-dry-run.json                    | -                        | enforce | FAIL    | false   | api                    | -
            pod-create-by-replicaset.json              | -                        | warn    | FAIL    | true    | nginx                  | -
            pod-create-by-replicaset.json              | -                        | audit   | FAIL    | true    | nginx                  | -
            pod-create-windows-os.json                 | -                        | enforce | SKIP    | true    | -                      | -
            pod-create-windows-node-selector.json      | -                        | enforce | SKIP    | true    | -                      | -
            pod-create-kube-system.json                | -                        | enforce | SKIP    | true    | -                      | NAMESPACE
            pod-create-exempt-annotation.json          | -                        | enforce | FAIL    | false   | app                    | -
            pod-create-exempt-annotation.json          | annotations-allowed.yaml | enforce | SKIP    | true    | -                      | ANNOTATION
            pod-create-exempt-annotation-empty.json    | annotations-allowed.yaml | enforce | FAIL    | false   | app                    | -
            deployment-create-exempt-annotation.json   | annotations-allowed.yaml | enforce | SKIP    | true    | -                      | ANNOTATION
            pod-create-pause-image.json                | -                        | enforce | FAIL    | false   | pause                  | -
            pod-create-pause-image.json                | exempt-images.yaml       | enforce | PASS    | true    | -                      | IMAGE
            pod-create-lookalike-image.json            | exempt-images.yaml       | enforce | FAIL    | false   | pause                  | -
            pod-create-named-sidecar.json              | exempt-containers.yaml   | enforce | PASS    | true    | -                      | CONTAINER
            deployment-create.json                     | -                        | enforce | FAIL    | false   | migrate                | -
            deployment-create.json                     | mutation-off.yaml        | enforce | FAIL    | false   | proxy,migrate          | -
            statefulset-create-missing-flag.json       | -                        | enforce | FAIL    | false   | app                    | -
            statefulset-create-compliant.json          | -                        | enforce | PASS    | true    | -                      | -
            daemonset-create-missing-flag.json         | -                        | enforce | FAIL    | false   | app                    | -
            daemonset-create-compliant.json            | -                        | enforce | PASS    | true    | -                      | -
            replicaset-create-missing-flag.json        | -                        | enforce | FAIL    | false   | app                    | -
            replicaset-create-compliant.json           | -                        | enforce | PASS    | true    | -                      | -
            replicationcontroller-create-missing-flag.json | -                    | enforce | FAIL    | false   | app                    | -
            replicationcontroller-create-compliant.json | -                       | enforce | PASS    | true    | -                      | -
            job-create-missing-flag.json               | -                        | enforce | FAIL    | false   | app                    | -
            job-create-compliant.json                  | -                        | enforce | PASS    | true    | -                      | -
            cronjob-create-missing-flag.json           | -                        | enforce | FAIL    | false   | app                    | -
            cronjob-create-compliant.json              | -                        | enforce | PASS    | true    | -                      | -
            rollout-create-missing-flag.json           | -                        | enforce | SKIP    | true    | -                      | -
            rollout-create-missing-flag.json           | extra-kinds.yaml         | enforce | FAIL    | false   | app                    | -
            configmap-create.json                      | -                        | enforce | SKIP    | true    | -                      | -
            deployment-update-replicas.json            | -                        | enforce | SKIP    | true    | -                      | -
            deployment-update-template.json            | -                        | enforce | FAIL    | false   | app                    | -
            pod-update-finalizer.json                  | -                        | enforce | PASS    | true    | -                      | -
            pod-update-labels-noncompliant.json        | -                        | enforce | PASS    | true    | -                      | -
            pod-update-flag-flipped.json               | -                        | enforce | FAIL    | false   | api                    | -
            pod-ephemeral-update.json                  | -                        | enforce | FAIL    | false   | debugger-q8m2z         | -
            pod-ephemeral-update.json                  | ephemeral-warn.yaml      | enforce | FAIL    | true    | debugger-q8m2z         | -
            pod-ephemeral-update-compliant.json        | -                        | enforce | PASS    | true    | -                      | -
            pod-delete.json                            | -                        | enforce | SKIP    | true    | -                      | -
            pod-create-spec-not-object.json            | -                        | enforce | ERROR   | false   | -                      | -
            pod-create-spec-not-object.json            | -                        | warn    | ERROR   | true    | -                      | -
            """)
    void decides(String fixture, String policy, String mode, Outcome outcome, boolean allowed, String violating,
                 String exemptions) throws BadReviewException {
        Judge engine = Fixtures.engine(policy);
        AdmissionRequest request = AdmissionReviews.parse(Fixtures.review(fixture));
        Verdict verdict = engine.judge(request.subject(), Origin.admission(engine.config().mutation().enabled())).verdict();
        Decision decision = Decision.decide(verdict, Mode.parse(mode).orElseThrow(), engine.config().policy());

        assertThat(verdict.outcome()).as(verdict.reason()).isEqualTo(outcome);
        assertThat(decision.allowed()).isEqualTo(allowed);
        assertThat(verdict.violations()).extracting(Violation::container).containsExactlyElementsOf(list(violating));
        assertThat(verdict.exemptions()).extracting(e -> e.kind().name()).containsExactlyElementsOf(list(exemptions));
        assertThat(verdict.reason()).isNotBlank();
        assertThat(decision.auditAnnotations()).containsEntry("mode", mode).containsEntry("outcome", outcome.label());
        if (!allowed) {
            assertThat(decision.message()).contains("rofs-guard (enforce)").contains(verdict.object().describe());
            verdict.violations().forEach(v -> assertThat(decision.message()).contains("\"" + v.container() + "\""));
        }
        if (!verdict.exemptions().isEmpty() && verdict.exemptions().get(0).kind() != Exemption.Kind.NAMESPACE) {
            assertThat(decision.warnings()).anySatisfy(w -> assertThat(w).contains("exempt"));
        }
        decision.warnings().forEach(w -> assertThat(w.length()).isLessThanOrEqualTo(Decision.MAX_WARNING));
    }

    @org.junit.jupiter.api.Test
    void aWorkloadWhoseOnlyViolationsTheMutationFixesPassesWithAWarning() throws BadReviewException {
        Judge engine = Fixtures.engine("-");
        AdmissionRequest request = AdmissionReviews.parse(Fixtures.review("deployment-nginx-create.json"));
        Verdict verdict = engine.judge(request.subject(), Origin.admission(engine.config().mutation().enabled())).verdict();
        assertThat(verdict.outcome()).isEqualTo(Outcome.PASS);
        assertThat(verdict.reason()).contains("mutation");
        Decision decision = Decision.decide(verdict, Mode.ENFORCE, engine.config().policy());
        assertThat(decision.allowed()).isTrue();
        assertThat(decision.warnings()).singleElement().asString()
                .contains("containers \"web\"").contains("/var/cache/nginx, /var/run").contains("catalog entry nginx");

        // Routed away from the mutation (/validate/<mode>/no-mutation), the same workload is judged as it stands.
        Verdict unmutated = engine.judge(request.subject(), Origin.admission(false)).verdict();
        assertThat(unmutated.outcome()).isEqualTo(Outcome.FAIL);
        assertThat(unmutated.violations()).extracting(Violation::container).containsExactly("web");
    }

    private static List<String> list(String csv) {
        return "-".equals(csv) ? List.of() : Arrays.asList(csv.split(","));
    }
}

package dev.rofsguard.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rofsguard.Fixtures;
import dev.rofsguard.admission.AdmissionRequest;
import dev.rofsguard.admission.AdmissionReviews;
import dev.rofsguard.admission.MutatingAdmission;
import dev.rofsguard.admission.ValidatingAdmission;
import dev.rofsguard.manifest.Document;
import dev.rofsguard.policy.Mode;
import dev.rofsguard.policy.Operation;
import dev.rofsguard.engine.Judge;
import dev.rofsguard.engine.Origin;
import dev.rofsguard.policy.Verdict;
import dev.rofsguard.policy.Violation;
import io.fabric8.zjsonpatch.JsonPatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * For every CREATE AdmissionReview fixture of the webhook tests: the CLI's verdict on the object equals the
 * webhook's, where the webhook is the pipeline the API server runs (mutate, apply the patch, validate).
 */
class DifferentialTest {

    /** The CREATE fixtures with an object: manifests are creations; UPDATE/DELETE semantics exist only at admission. */
    static Stream<String> fixtures() throws IOException {
        try (Stream<Path> files = Files.list(Fixtures.path("admission"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted()
                    .filter(DifferentialTest::isCreation).toList().stream();
        }
    }

    private static boolean isCreation(String fixture) {
        try {
            AdmissionRequest r = AdmissionReviews.parse(Fixtures.review(fixture));
            return r.operation() == Operation.CREATE && r.object() != null && r.object().isObject();
        } catch (dev.rofsguard.admission.BadReviewException e) {
            throw new IllegalStateException(fixture + " is not a valid review", e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void cliAndWebhookAgree(String fixture) throws Exception {
        AdmissionRequest request = AdmissionReviews.parse(Fixtures.review(fixture));
        Judge engine = Fixtures.engine("-");

        // The webhook, as the API server runs it: mutate, apply the patch, validate.
        JsonNode object = request.object();
        JsonNode mutated = AdmissionReviews.mapper().readTree(new MutatingAdmission(() -> engine).mutate(request).body()).path("response");
        if (mutated.has("patch")) {
            object = JsonPatch.apply(AdmissionReviews.mapper().readTree(Base64.getDecoder().decode(mutated.path("patch").asText())), object);
        }
        AdmissionRequest patched = request.withObject(object);
        Verdict w = new ValidatingAdmission(() -> engine).validate(patched, Mode.ENFORCE, true).decision().verdict();

        // audit of the manifest.
        Optional<AuditedObject> cli = AuditReport.audit(engine, new Document(fixture, 1, request.object(), Map.of()),
                Origin.manifest(true), request.namespace());
        if (cli.isEmpty()) {
            assertThat(w.reason()).startsWith("not a workload");
            return; // both ignore it
        }
        sameVerdict(cli.get().verdict(), w);

        // audit --cluster of the object the API server stored: a live pod is judged as it is.
        if (request.kind().equals("Pod")) {
            Optional<AuditedObject> live = AuditReport.audit(engine, new Document("cluster", 0, object, Map.of()),
                    Origin.live(true), request.namespace());
            sameVerdict(live.orElseThrow().verdict(), w);
        }

        // audit --fix: the fixed manifest, judged without counting on the mutation, passes exactly where the webhook
        // admits (and a fixed manifest asks the webhook for nothing more).
        JsonNode fixed = cli.get().plan().isEmpty() ? request.object() : JsonPatch.apply(cli.get().plan().jsonPatch(), request.object());
        Verdict f = AuditReport.audit(engine, new Document(fixture, 1, fixed, Map.of()), Origin.manifest(false), request.namespace())
                .orElseThrow().verdict();
        sameVerdict(f, w);
        assertThat(engine.judge(dev.rofsguard.policy.Subject.of(fixed, request.namespace()), Origin.manifest(true)).plan().ops())
                .as("the fix is complete: nothing left to plan").isEmpty();
    }

    private static void sameVerdict(Verdict c, Verdict w) {
        assertThat(c.outcome()).as(c.reason() + " vs " + w.reason()).isEqualTo(w.outcome());
        assertThat(names(c.violations())).isEqualTo(names(w.violations()));
        assertThat(c.exemptions()).isEqualTo(w.exemptions());
    }

    private static List<String> names(List<Violation> violations) {
        return violations.stream().map(v -> v.rule().id() + ":" + v.containerKind().field() + "/" + v.container()).toList();
    }
}

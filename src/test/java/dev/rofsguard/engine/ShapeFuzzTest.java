package dev.rofsguard.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rofsguard.Fixtures;
import dev.rofsguard.admission.AdmissionAnswer;
import dev.rofsguard.admission.AdmissionReviews;
import dev.rofsguard.admission.MutatingAdmission;
import dev.rofsguard.admission.ValidatingAdmission;
import dev.rofsguard.policy.Mode;
import dev.rofsguard.policy.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Nothing fails open: every field the engine reads, replaced by every JSON type, in a pod that breaks the rule.
 * Enforce must deny each one (as an error or as the violation it still is), and the mutation must patch none that
 * the API server would refuse.
 */
class ShapeFuzzTest {

    private static final JsonNodeFactory N = JsonNodeFactory.instance;
    private static final Judge JUDGE = Fixtures.engine("-");

    /** Fields the engine reads, as pointers into the review's object. */
    private static final List<String> FIELDS = List.of("/spec", "/spec/containers", "/spec/containers/0",
            "/spec/containers/0/name", "/spec/containers/0/image", "/spec/containers/0/securityContext",
            "/spec/containers/0/volumeMounts", "/spec/containers/0/volumeMounts/0", "/spec/containers/0/volumeMounts/0/name",
            "/spec/containers/0/volumeMounts/0/mountPath", "/spec/containers/0/volumeMounts/0/readOnly",
            "/spec/containers/0/volumeMounts/0/subPath", "/spec/containers/0/env", "/spec/containers/0/env/0",
            "/spec/containers/0/env/0/value", "/spec/containers/0/args", "/spec/containers/0/command",
            "/spec/initContainers", "/spec/initContainers/0", "/spec/ephemeralContainers", "/spec/volumes",
            "/spec/volumes/0", "/spec/volumes/0/name", "/spec/os", "/spec/os/name", "/spec/nodeSelector",
            "/metadata", "/metadata/annotations");

    private static List<JsonNode> wrongValues() {
        ArrayNode nullItem = N.arrayNode();
        nullItem.addNull();
        return List.of(N.nullNode(), N.booleanNode(true), N.numberNode(1), N.textNode("x"), N.arrayNode(), N.objectNode(),
                nullItem, N.arrayNode().add("x"), N.arrayNode().add(1));
    }

    static Stream<String> fields() {
        return FIELDS.stream();
    }

    private static ObjectNode review() {
        ObjectNode review = (ObjectNode) Fixtures.json("admission/pod-create-by-replicaset.json");
        ObjectNode c = (ObjectNode) review.at("/request/object/spec/containers/0");
        c.putArray("env").addObject().put("name", "A").put("value", "b");
        c.putArray("args").add("--x");
        c.putArray("command").add("nginx");
        ObjectNode spec = (ObjectNode) review.at("/request/object/spec");
        spec.putArray("initContainers").addObject().put("name", "init").put("image", "busybox")
                .putObject("securityContext").put("readOnlyRootFilesystem", true);
        spec.putObject("os").put("name", "linux");
        spec.putObject("nodeSelector").put("zone", "a");
        return review;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fields")
    void everyWrongTypeIsDeniedInEnforceAndNeverPatched(String field) throws Exception {
        for (JsonNode value : wrongValues()) {
            ObjectNode review = review();
            JsonPointer at = JsonPointer.compile("/request/object" + field);
            JsonNode parent = review.at(at.head());
            String last = at.last().getMatchingProperty();
            if (parent instanceof ObjectNode o) {
                o.set(last, value.deepCopy());
            } else if (parent instanceof ArrayNode a) {
                a.set(at.last().getMatchingIndex(), value.deepCopy());
            }
            byte[] body = AdmissionReviews.toBytes(review);
            AdmissionAnswer.Validated v = (AdmissionAnswer.Validated) new ValidatingAdmission(() -> JUDGE).validate(body, Mode.ENFORCE, true);
            assertThat(v.decision().allowed()).as(field + " = " + value + ": " + v.decision().verdict().reason()).isFalse();
            AdmissionAnswer.Mutated m = (AdmissionAnswer.Mutated) new MutatingAdmission(() -> JUDGE).mutate(body);
            if (v.decision().verdict().outcome() == Outcome.ERROR) {
                assertThat(m.plan().ops()).as(field + " = " + value + ": no patch for a spec the API server refuses").isEmpty();
            }
        }
    }

    @Test
    void duplicateContainerNamesAreAnErrorWithNoPatchAndTheWorkIsLinear() throws Exception {
        ObjectNode review = review();
        ArrayNode containers = (ArrayNode) review.at("/request/object/spec/containers");
        List<JsonNode> many = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            many.add(N.objectNode().put("name", "c").put("image", "nginx"));
        }
        containers.removeAll();
        containers.addAll(many);
        byte[] body = AdmissionReviews.toBytes(review);
        AdmissionAnswer.Mutated m = (AdmissionAnswer.Mutated) new MutatingAdmission(() -> JUDGE).mutate(body);
        assertThat(m.plan().ops()).isEmpty();
        for (Mode mode : Mode.values()) {
            AdmissionAnswer.Validated v = (AdmissionAnswer.Validated) new ValidatingAdmission(() -> JUDGE).validate(body, mode, true);
            assertThat(v.decision().verdict().outcome()).isEqualTo(Outcome.ERROR);
            assertThat(v.decision().verdict().reason()).contains("is used by another container");
            assertThat(v.decision().allowed()).isEqualTo(mode != Mode.ENFORCE);
        }
    }

    @Test
    void thousandsOfDistinctSameImageContainersArePlannedWithUniqueNames() {
        ObjectNode review = review();
        ArrayNode containers = (ArrayNode) review.at("/request/object/spec/containers");
        containers.removeAll();
        for (int i = 0; i < 20_000; i++) {
            // Names whose readable volume names collide after slugging ("c.1" and "c-1"), the quadratic case before.
            containers.addObject().put("name", (i % 2 == 0 ? "c." : "c-") + (i / 2)).put("image", "nginx");
        }
        AdmissionAnswer.Mutated m = (AdmissionAnswer.Mutated) new MutatingAdmission(() -> JUDGE).mutate(AdmissionReviews.toBytes(review));
        JsonNode volumes = io.fabric8.zjsonpatch.JsonPatch.apply(m.plan().jsonPatch(), review.at("/request/object")).at("/spec/volumes");
        assertThat(volumes.size()).isEqualTo(40_000 + 1); // two per nginx container (/var/cache/nginx, /var/run), and the token volume it had
        assertThat(volumes.findValuesAsText("name")).doesNotHaveDuplicates();
    }
}

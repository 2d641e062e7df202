package dev.rofsguard.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rofsguard.Fixtures;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The review's tree is Jackson's tree, node type for node type, less what nothing reads (see {@link ReviewTree}). */
class ReviewTreeTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Property(tries = 2000)
    void anyJsonDocumentReadsAsJacksonReadsIt(@ForAll("documents") String json) throws Exception {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        assertThat(ReviewTree.read(bytes)).isEqualTo(jacksonLessSkipped(bytes));
    }

    /**
     * Jackson's own tree, with what the review's tree leaves out removed: the request's fields other than those
     * read, the objects' status and their metadata's managedFields.
     */
    private static JsonNode jacksonLessSkipped(byte[] bytes) throws Exception {
        JsonNode tree = JSON.readTree(bytes);
        if (tree.path("request") instanceof ObjectNode request) {
            request.retain(ReviewTree.REQUEST_FIELDS);
            for (String o : List.of("object", "oldObject")) {
                if (request.path(o) instanceof ObjectNode object) {
                    object.remove("status");
                    if (object.path("metadata") instanceof ObjectNode metadata) {
                        metadata.remove("managedFields");
                    }
                }
            }
        }
        return tree;
    }

    @ParameterizedTest
    @ValueSource(strings = {"pod-create-by-replicaset.json", "deployment-create.json", "pod-update-finalizer.json"})
    void aReviewReadsAsJacksonReadsItLessWhatNothingReads(String fixture) throws Exception {
        byte[] bytes = Fixtures.review(fixture);
        JsonNode expected = jacksonLessSkipped(bytes);
        if (fixture.equals("pod-create-by-replicaset.json")) {
            assertThat(JSON.readTree(bytes).at("/request/object/metadata").has("managedFields")).as("this fixture has some").isTrue();
        }
        JsonNode read = ReviewTree.read(bytes);
        assertThat(read).isEqualTo(expected);
        assertThat(read.path("request").path("object").path("metadata").has("managedFields")).isFalse();
        assertThat(read.path("request").has("userInfo")).isFalse();
        assertThat(AdmissionReviews.parse(read)).as("the request reads the same from either tree, but for the objects' left-out parts")
                .usingRecursiveComparison().ignoringFields("object", "oldObject").isEqualTo(AdmissionReviews.parse(JSON.readTree(bytes)));
    }

    @org.junit.jupiter.api.Test
    void onlyTheObjectsLoseManagedFieldsAndStatus() throws Exception {
        // Nothing else is the API server's field ownership or the object's status: a pod template's are kept.
        String json = "{\"managedFields\":1,\"request\":{\"managedFields\":2,\"object\":{\"spec\":{\"metadata\":{\"managedFields\":3},"
                + "\"status\":5},\"status\":{\"phase\":\"Pending\"},\"metadata\":{\"name\":\"p\",\"managedFields\":[{\"manager\":\"m\"}]}},"
                + "\"options\":{\"metadata\":{\"managedFields\":4}}}}";
        JsonNode read = ReviewTree.read(json.getBytes(StandardCharsets.UTF_8));
        assertThat(read.path("managedFields").asInt()).isEqualTo(1);
        assertThat(read.path("request").has("managedFields")).as("not a field the request is read for").isFalse();
        assertThat(read.path("request").has("options")).isFalse();
        assertThat(read.at("/request/object/spec/metadata/managedFields").asInt()).isEqualTo(3);
        assertThat(read.at("/request/object/spec/status").asInt()).isEqualTo(5);
        assertThat(read.at("/request/object").has("status")).isFalse();
        assertThat(read.at("/request/object/metadata").toString()).isEqualTo("{\"name\":\"p\"}");
    }

    @org.junit.jupiter.api.Test
    void contentAfterTheDocumentAndBrokenDocumentsAreErrors() {
        assertThatThrownBy(() -> ReviewTree.read("{} {}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(JsonProcessingException.class).hasMessageContaining("Trailing token");
        assertThatThrownBy(() -> ReviewTree.read("{\"a\":[1,2}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(JsonProcessingException.class);
        assertThatThrownBy(() -> ReviewTree.read("{\"request\":{\"object\":{\"metadata\":{\"managedFields\":[".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(JsonProcessingException.class);
    }

    @org.junit.jupiter.api.Test
    void anEmptyBodyIsTheMissingNode() throws Exception {
        assertThat(ReviewTree.read("  ".getBytes(StandardCharsets.UTF_8)).isMissingNode()).isTrue();
    }

    @Provide
    Arbitrary<String> documents() {
        return value(4).map(v -> {
            try {
                return JSON.writeValueAsString(v);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Every JSON type, numbers of every size Jackson tells apart, duplicate-prone short keys, nesting. */
    private Arbitrary<Object> value(int depth) {
        Arbitrary<Object> scalar = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(12).map(s -> (Object) s),
                Arbitraries.integers().map(i -> (Object) i),
                Arbitraries.longs().map(l -> (Object) l),
                Arbitraries.bigIntegers().between(BigInteger.TEN.pow(19), BigInteger.TEN.pow(40)).map(b -> (Object) b),
                Arbitraries.doubles().map(d -> (Object) d),
                Arbitraries.bigDecimals().ofScale(3).map(BigDecimal::toString).map(s -> (Object) new RawNumber(s)),
                Arbitraries.of(true, false).map(b -> (Object) b),
                Arbitraries.just(null));
        if (depth == 0) {
            return scalar;
        }
        Arbitrary<Object> list = value(depth - 1).list().ofMaxSize(4).map(l -> (Object) new ArrayList<>(l));
        Arbitrary<Object> map = Arbitraries.maps(Arbitraries.of("request", "object", "oldObject", "metadata", "managedFields", "status", "uid", "a", "b"),
                value(depth - 1)).ofMaxSize(4).map(m -> (Object) new LinkedHashMap<>(m));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, scalar), net.jqwik.api.Tuple.of(2, list), net.jqwik.api.Tuple.of(3, map));
    }

    /** A number written as given (e.g. 12.500), so the reader meets decimals as text, not as a double's shortest form. */
    record RawNumber(String text) {
        @com.fasterxml.jackson.annotation.JsonValue
        com.fasterxml.jackson.databind.util.RawValue raw() {
            return new com.fasterxml.jackson.databind.util.RawValue(text);
        }
    }
}

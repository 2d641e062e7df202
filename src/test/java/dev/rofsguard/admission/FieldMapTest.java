package dev.rofsguard.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** A parsed object's fields behave as Jackson's LinkedHashMap, at any size, and read duplicates as Jackson does. */
class FieldMapTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One step on both maps: put, remove, get, or removal through the entry iterator. */
    record Step(int op, String key, int value) {
    }

    @Property(tries = 500)
    void behavesAsALinkedHashMap(@ForAll("steps") List<Step> steps, @ForAll @IntRange(max = 40) int built) {
        // Built from a document's fields (repeats included) and then changed, as a tree may be.
        Object[] kv = new Object[2 * built];
        Map<String, JsonNode> expected = new LinkedHashMap<>();
        for (int i = 0; i < built; i++) {
            kv[2 * i] = "k" + (i * 7 % 23);
            kv[2 * i + 1] = IntNode.valueOf(i);
            expected.put((String) kv[2 * i], IntNode.valueOf(i));
        }
        FieldMap actual = FieldMap.of(kv, built);
        assertThat(new ArrayList<>(actual.entrySet())).isEqualTo(new ArrayList<>(expected.entrySet()));
        for (Step s : steps) {
            switch (s.op()) {
                case 0 -> assertThat(actual.put(s.key(), IntNode.valueOf(s.value()))).isEqualTo(expected.put(s.key(), IntNode.valueOf(s.value())));
                case 1 -> assertThat(actual.remove(s.key())).isEqualTo(expected.remove(s.key()));
                case 2 -> assertThat(actual.get(s.key())).isEqualTo(expected.get(s.key()));
                default -> {
                    removeThroughIterator(actual, s.key());
                    removeThroughIterator(expected, s.key());
                }
            }
            assertThat(actual.size()).isEqualTo(expected.size());
            assertThat(actual.containsKey(s.key())).isEqualTo(expected.containsKey(s.key()));
        }
        assertThat(new ArrayList<>(actual.entrySet())).isEqualTo(new ArrayList<>(expected.entrySet()));
        assertThat(actual).isEqualTo(expected);
        assertThat(actual.hashCode()).isEqualTo(expected.hashCode());
    }

    private static void removeThroughIterator(Map<String, JsonNode> map, String key) {
        for (Iterator<Map.Entry<String, JsonNode>> it = map.entrySet().iterator(); it.hasNext(); ) {
            if (it.next().getKey().equals(key)) {
                it.remove();
            }
        }
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        // Keys from a small set, so puts meet existing fields and removes find them; enough puts to cross SCANNED.
        return net.jqwik.api.Combinators.combine(Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(0, 30).map(i -> "k" + i), Arbitraries.integers())
                .as(Step::new).list().ofMaxSize(80);
    }

    @Test
    void repeatedNamesKeepTheirFirstPlaceAndLastValueAsJacksonReadsThem() throws Exception {
        for (int fields : new int[] {3, FieldMap.SCANNED, FieldMap.SCANNED + 1, 500}) {
            StringBuilder json = new StringBuilder("{");
            for (int i = 0; i < fields; i++) {
                // every third name is given again later, some of them three times
                json.append(i == 0 ? "" : ",").append("\"f").append(i % 3 == 0 ? i / 3 : i).append("\":").append(i);
            }
            byte[] bytes = json.append('}').toString().getBytes(StandardCharsets.UTF_8);
            JsonNode read = ReviewTree.read(bytes);
            JsonNode expected = JSON.readTree(bytes);
            assertThat(read).as("%d fields", fields).isEqualTo(expected);
            assertThat(FieldNames.of(read)).as("order, %d fields", fields).isEqualTo(FieldNames.of(expected));
        }
    }

    @Test
    void manyFieldsAreFoundEvenWhenTheirHashesCollide() {
        // "Aa" and "BB" have the same hash, as have any names made of them alike.
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            StringBuilder n = new StringBuilder();
            for (int bit = 0; bit < 6; bit++) {
                n.append((i >> bit & 1) == 0 ? "Aa" : "BB");
            }
            names.add(n.toString());
        }
        Object[] kv = new Object[2 * names.size()];
        for (int i = 0; i < names.size(); i++) {
            kv[2 * i] = names.get(i);
            kv[2 * i + 1] = IntNode.valueOf(i);
        }
        FieldMap m = FieldMap.of(kv, names.size());
        assertThat(m).hasSize(64);
        for (int i = 0; i < names.size(); i++) {
            assertThat(m.get(names.get(i))).isEqualTo(IntNode.valueOf(i));
        }
        assertThat(m.get("AaAaAaAaAaAa" + "x")).isNull();
    }

    /** The field names of every object, in order, depth first: equality of trees ignores the order of fields. */
    private static final class FieldNames {
        static List<String> of(JsonNode node) {
            List<String> names = new ArrayList<>();
            collect(node, names);
            return names;
        }

        private static void collect(JsonNode node, List<String> names) {
            if (node.isObject()) {
                node.fields().forEachRemaining(e -> {
                    names.add(e.getKey());
                    collect(e.getValue(), names);
                });
            } else {
                node.elements().forEachRemaining(e -> collect(e, names));
            }
        }
    }
}

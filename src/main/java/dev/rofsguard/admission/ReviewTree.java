package dev.rofsguard.admission;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * An AdmissionReview body as a Jackson tree, built straight from the parser, the nodes Jackson's {@code readTree}
 * builds (same node types, last duplicate key wins), less what nothing here reads: {@code metadata.managedFields}
 * and {@code status} of {@code request.object} and {@code request.oldObject} (the API server's field ownership is
 * often a third of an object or more), and the request's fields other than those {@link AdmissionReviews#parse}
 * reads ({@code userInfo}, {@code options}, the resource and requested kind). Every node left out was a map entry
 * built and collected on every admission; parsing is most of an admission's time (issue 10's benchmark). What is
 * left out is still read by the parser, so a body that is not JSON is refused all the same.
 */
final class ReviewTree {

    /**
     * Jackson's stream limits made explicit (nesting 1,000, numbers 1,000 digits, names 50,000 characters; the API
     * server accepts none of these anyway), enforced by the parser itself.
     */
    private static final JsonFactory FACTORY = JsonFactory.builder().streamReadConstraints(StreamReadConstraints.builder()
            .maxNestingDepth(1000).maxNumberLength(1000).maxNameLength(50_000).build()).build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Where a value sits, as far as the skipping cares: the root, request, object or oldObject, their metadata. */
    private static final int ROOT = 0, REQUEST = 1, OBJECT = 2, METADATA = 3, ELSEWHERE = 4;

    /** The request's fields {@link AdmissionReviews#parse} reads; the others are skipped. */
    static final Set<String> REQUEST_FIELDS = Set.of("uid", "kind", "name", "namespace", "operation", "subResource",
            "dryRun", "object", "oldObject");

    private ReviewTree() {
    }

    /** The tree of one JSON document (a {@link MissingNode} for an empty one); content after it is an error. */
    static JsonNode read(byte[] body) throws IOException {
        return read(body, TreeAllowance.UNBOUNDED);
    }

    /** As {@link #read(byte[])}, within an allowance of heap: {@link TooLarge} when the tree would outgrow it. */
    static JsonNode read(byte[] body, TreeAllowance allowance) throws IOException {
        return build(body, allowance).root;
    }

    /** The heap the tree of this body takes, as {@link Builder} counts it (for the benchmark and tests). */
    static long heap(byte[] body) throws IOException {
        return build(body, TreeAllowance.UNBOUNDED).used;
    }

    private static Builder build(byte[] body, TreeAllowance allowance) throws IOException {
        try (JsonParser p = FACTORY.createParser(body)) {
            Builder b = new Builder(p, allowance);
            JsonToken first = p.nextToken();
            if (first == null) {
                return b;
            }
            b.root = b.value(first, ROOT, 0);
            JsonToken trailing = p.nextToken();
            if (trailing != null) {
                throw new JsonParseException(p, "Trailing token (of type " + trailing + ") found after the AdmissionReview");
            }
            return b;
        }
    }

    /** The tree outgrew its allowance and the budget gave no more. */
    static final class TooLarge extends IOException {
        final long bytes;

        TooLarge(long bytes) {
            super("the parsed tree needs more than " + bytes + " bytes of heap");
            this.bytes = bytes;
        }
    }

    /**
     * Builds the tree and counts its heap as it goes. Objects and arrays are sized to their content once it has been
     * read (their fields and elements wait in a scratch array per depth): an object's fields are a {@link FieldMap},
     * 8 bytes a field where Jackson's LinkedHashMap took about 46, an array's an exactly sized ArrayList. The figures
     * are what the JVM takes with compressed references (HotSpot, 64-bit): an object node 24 bytes and its map
     * ({@link FieldMap#heap}); an array node 24, its ArrayList 24 and array 16 + 4 per element; a text node 16, its
     * String 24 and bytes 16 + length (a character beyond Latin-1 takes two, counted as one: little, since it took 2 to
     * 4 bytes of the body); a number 16 to 24; true, false, null, empty text and the ints -1 to 10 are shared.
     * Compared with the heap trees really hold by bench/TreeFootprint.
     */
    private static final class Builder {
        private final JsonParser p;
        private final TreeAllowance allowance;
        private long used;
        private long limit;
        /** The tree: a {@link MissingNode} for an empty document. */
        private JsonNode root = MissingNode.getInstance();

        /**
         * Per depth, the fields or elements of the object or array being read there, until it ends and they are
         * copied to one exactly sized array; reused by the next object or array at that depth. Held until the build
         * ends, so counted as they grow.
         */
        private Scratch[] scratch = new Scratch[8];

        Builder(JsonParser p, TreeAllowance allowance) {
            this.p = p;
            this.allowance = allowance;
            this.limit = allowance.granted();
        }

        private Scratch scratch(int depth) {
            if (depth == scratch.length) {
                scratch = Arrays.copyOf(scratch, depth * 2);
            }
            Scratch s = scratch[depth];
            if (s == null) {
                s = scratch[depth] = new Scratch();
            }
            return s;
        }

        /** A growable array of references, its growth counted against the allowance. */
        private final class Scratch {
            Object[] items = new Object[16];

            void ensure(int needed) throws TooLarge {
                if (needed > items.length) {
                    int grown = Math.max(needed, items.length * 2);
                    count(16 + 4L * grown);
                    items = Arrays.copyOf(items, grown);
                }
            }

            /** Lets go of the values read (they belong to the tree now), keeping the array for the next. */
            void clear(int used) {
                Arrays.fill(items, 0, used, null);
            }
        }

        private void count(long bytes) throws TooLarge {
            used += bytes;
            if (used > limit) {
                if (!allowance.growTo(used)) {
                    throw new TooLarge(limit);
                }
                limit = allowance.granted();
            }
        }

        JsonNode value(JsonToken t, int where, int depth) throws IOException {
            switch (t) {
                case START_OBJECT -> {
                    Scratch fields = scratch(depth);
                    int n = 0;
                    for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                        JsonToken v = p.nextToken();
                        if (where == METADATA && name.equals("managedFields") || where == OBJECT && name.equals("status")
                                || where == REQUEST && !REQUEST_FIELDS.contains(name)) {
                            p.skipChildren();
                            continue;
                        }
                        JsonNode value = value(v, inside(where, name), depth + 1);
                        fields.ensure(2 * n + 2);
                        fields.items[2 * n] = name;
                        fields.items[2 * n + 1] = value;
                        n++;
                    }
                    count(24 + FieldMap.heap(n)); // the node and its map
                    ObjectNode node = new ObjectNode(NODES, FieldMap.of(fields.items, n));
                    fields.clear(2 * n);
                    return node;
                }
                case START_ARRAY -> {
                    Scratch elements = scratch(depth);
                    int n = 0;
                    for (JsonToken v = p.nextToken(); v != JsonToken.END_ARRAY; v = p.nextToken()) {
                        JsonNode value = value(v, ELSEWHERE, depth + 1);
                        elements.ensure(n + 1);
                        elements.items[n++] = value;
                    }
                    // The node, its ArrayList and the list's array, sized to the elements.
                    count(24 + 24 + (n == 0 ? 0 : 16 + (4L * n + 7 & ~7)));
                    List<JsonNode> list = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        list.add((JsonNode) elements.items[i]);
                    }
                    elements.clear(n);
                    return new ArrayNode(NODES, list);
                }
                case VALUE_STRING -> {
                    String text = p.getText();
                    if (!text.isEmpty()) { // Jackson's empty text node is shared
                        count(56 + (text.length() + 7 & ~7));
                    }
                    return NODES.textNode(text);
                }
                case VALUE_NUMBER_INT -> {
                    // As Jackson's tree: the smallest of int, long and BigInteger that holds it.
                    return switch (p.getNumberType()) {
                        case INT -> {
                            int value = p.getIntValue();
                            if (value < -1 || value > 10) { // Jackson shares the nodes of -1 to 10
                                count(16);
                            }
                            yield NODES.numberNode(value);
                        }
                        case LONG -> {
                            count(24);
                            yield NODES.numberNode(p.getLongValue());
                        }
                        default -> {
                            count(64 + p.getTextLength());
                            yield NODES.numberNode(p.getBigIntegerValue());
                        }
                    };
                }
                case VALUE_NUMBER_FLOAT -> {
                    return switch (p.getNumberType()) {
                        case BIG_DECIMAL -> {
                            count(80 + p.getTextLength());
                            yield NODES.numberNode(p.getDecimalValue());
                        }
                        case FLOAT -> {
                            count(16);
                            yield NODES.numberNode(p.getFloatValue());
                        }
                        default -> {
                            count(24);
                            yield NODES.numberNode(p.getDoubleValue());
                        }
                    };
                }
                case VALUE_TRUE -> {
                    return NODES.booleanNode(true);
                }
                case VALUE_FALSE -> {
                    return NODES.booleanNode(false);
                }
                case VALUE_NULL -> {
                    return NODES.nullNode();
                }
                default -> throw new JsonParseException(p, "unexpected token " + t);
            }
        }
    }

    private static int inside(int where, String name) {
        return switch (where) {
            case ROOT -> name.equals("request") ? REQUEST : ELSEWHERE;
            case REQUEST -> name.equals("object") || name.equals("oldObject") ? OBJECT : ELSEWHERE;
            case OBJECT -> name.equals("metadata") ? METADATA : ELSEWHERE;
            default -> ELSEWHERE;
        };
    }
}

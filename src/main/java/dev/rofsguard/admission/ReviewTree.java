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
import java.util.LinkedHashMap;
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
            b.root = b.value(first, ROOT);
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
     * Builds the tree and counts its heap as it goes. The figures are what the JVM takes with compressed references
     * (HotSpot, 64-bit): an object node 24 bytes, its LinkedHashMap 56 and table 16 + 4 per slot, an entry 40; an array
     * node 24, its ArrayList 24 and array 16 + 4 per slot; a text node 16, its String 24 and bytes 16 + length; a
     * number 16 to 24; true, false, null and small ints are shared. Slots are counted at the tables' growth (a
     * quarter more than used, on average). Compared with the heap trees really hold by bench/TreeFootprint.
     */
    private static final class Builder {
        private final JsonParser p;
        private final TreeAllowance allowance;
        private long used;
        private long limit;
        /** The tree: a {@link MissingNode} for an empty document. */
        private JsonNode root = MissingNode.getInstance();

        Builder(JsonParser p, TreeAllowance allowance) {
            this.p = p;
            this.allowance = allowance;
            this.limit = allowance.granted();
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

        JsonNode value(JsonToken t, int where) throws IOException {
            switch (t) {
                case START_OBJECT -> {
                    // Jackson's map, sized for the few fields most objects of a pod have (its default table holds 16).
                    ObjectNode node = new ObjectNode(NODES, new LinkedHashMap<>(8));
                    count(80);
                    for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                        JsonToken v = p.nextToken();
                        if (where == METADATA && name.equals("managedFields") || where == OBJECT && name.equals("status")
                                || where == REQUEST && !REQUEST_FIELDS.contains(name)) {
                            p.skipChildren();
                            continue;
                        }
                        // the entry, and its table slot: the first one brings the table of 8
                        count(node.isEmpty() ? 40 + 48 : 46);
                        node.replace(name, value(v, inside(where, name)));
                    }
                    return node;
                }
                case START_ARRAY -> {
                    ArrayNode node = NODES.arrayNode();
                    count(64);
                    for (JsonToken v = p.nextToken(); v != JsonToken.END_ARRAY; v = p.nextToken()) {
                        count(6);
                        node.add(value(v, ELSEWHERE));
                    }
                    return node;
                }
                case VALUE_STRING -> {
                    String text = p.getText();
                    count(56 + (text.length() + 7 & ~7));
                    return NODES.textNode(text);
                }
                case VALUE_NUMBER_INT -> {
                    // As Jackson's tree: the smallest of int, long and BigInteger that holds it.
                    return switch (p.getNumberType()) {
                        case INT -> {
                            count(16);
                            yield NODES.numberNode(p.getIntValue());
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

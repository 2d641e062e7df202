package dev.rofsguard.report;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rofsguard.manifest.Document;
import dev.rofsguard.mutation.Plan;
import io.fabric8.zjsonpatch.JsonPatch;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.events.CommentEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * {@code audit --fix}: each manifest document with its plan applied, in document order. The plan's operations are
 * applied to the document's YAML node tree as it was written (SnakeYAML, comments kept), not to a re-serialised
 * model: every scalar keeps its style, so {@code "3.10"}, {@code "12:30"}, {@code "0x1F"}, {@code "1_000"} and
 * {@code ".inf"} stay quoted strings, and comments stay where the library can keep them. Indentation is
 * normalised to two spaces. JSON documents are written back as JSON (exact decimals).
 */
public final class FixedManifests {

    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(SerializationFeature.INDENT_OUTPUT).setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

    private FixedManifests() {
    }

    /** @param planOf the plan of a document (empty for documents that are not workloads or need nothing) */
    public static String render(List<Document> documents, Function<Document, Plan> planOf) {
        return renderOps(documents, d -> planOf.apply(d).ops());
    }

    /**
     * @param opsOf the JSON Patch {@code add} operations of a document, relative to it: a plan's, or what another
     *              rendering of the plan adds (Compose's {@code read_only} and {@code tmpfs})
     */
    public static String renderOps(List<Document> documents, Function<Document, List<Plan.Op>> opsOf) {
        Map<Object, List<Document>> bySegment = new LinkedHashMap<>();
        for (Document d : documents) {
            bySegment.computeIfAbsent(d.segment() != null ? d.segment() : d, k -> new ArrayList<>()).add(d);
        }
        List<String> rendered = new ArrayList<>();
        List<String> lost = new ArrayList<>();
        for (Map.Entry<Object, List<Document>> e : bySegment.entrySet()) {
            if (e.getKey() instanceof Document.Segment segment) {
                rendered.add(segment.json() ? json(segment, e.getValue(), opsOf) : yaml(segment, e.getValue(), opsOf, lost));
            } else {
                Document d = (Document) e.getKey();
                rendered.add(toJson(apply(d.object().deepCopy(), "", opsOf.apply(d))));
            }
        }
        StringBuilder s = new StringBuilder("# rofs-guard audit --fix: the catalog's volumes and readOnlyRootFilesystem added; "
                + (lost.isEmpty() ? "quoting and comments kept" : "quoting kept, NOT every comment") + ", indentation normalised\n");
        lost.forEach(l -> s.append("# rofs-guard: ").append(l).append('\n'));
        for (int i = 0; i < rendered.size(); i++) {
            s.append(i == 0 ? "" : "---\n").append(rendered.get(i));
        }
        return s.toString();
    }

    private static String json(Document.Segment segment, List<Document> documents, Function<Document, List<Plan.Op>> opsOf) {
        try {
            JsonNode tree = JSON.readTree(segment.text());
            for (Document d : documents) {
                tree = apply(tree, d.base(), opsOf.apply(d));
            }
            return toJson(tree);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String toJson(JsonNode tree) {
        try {
            return JSON.writeValueAsString(tree) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode apply(JsonNode tree, String base, List<Plan.Op> ops) {
        if (ops.isEmpty()) {
            return tree;
        }
        ArrayNode patch = JsonNodeFactory.instance.arrayNode();
        ops.forEach(op -> patch.addObject().put("op", "add").put("path", base + op.path()).set("value", op.value()));
        return JsonPatch.apply(patch, tree);
    }

    private static String yaml(Document.Segment segment, List<Document> documents, Function<Document, List<Plan.Op>> opsOf,
                               List<String> lost) {
        Yaml yaml = yaml();
        Node root = yaml.compose(new StringReader(segment.text()));
        for (Document d : documents) {
            for (Plan.Op op : opsOf.apply(d)) {
                add(yaml, root, d.base() + op.path(), op.value());
            }
        }
        StringWriter out = new StringWriter();
        yaml.serialize(root, out);
        String text = out.toString();
        long before = comments(segment.text());
        long after = comments(text);
        if (after < before) {
            lost.add((before - after) + " comment(s) of " + segment.source() + " (document " + (segment.index() + 1)
                    + ") could not be kept");
        }
        return text;
    }

    private static Yaml yaml() {
        LoaderOptions load = new LoaderOptions();
        load.setProcessComments(true);
        load.setMaxAliasesForCollections(50);
        DumperOptions dump = new DumperOptions();
        dump.setProcessComments(true);
        dump.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        dump.setIndent(2);
        dump.setIndicatorIndent(2);
        dump.setIndentWithIndicator(true);
        dump.setWidth(Integer.MAX_VALUE);
        dump.setSplitLines(false);
        return new Yaml(load, dump);
    }

    private static long comments(String text) {
        long n = 0;
        for (Event e : yaml().parse(new StringReader(text))) {
            if (e instanceof CommentEvent) {
                n++;
            }
        }
        return n;
    }

    /** JSON Patch {@code add} on a YAML node tree: the nodes around it keep their style, comments and anchors. */
    private static void add(Yaml yaml, Node root, String pointer, JsonNode value) {
        List<String> tokens = new ArrayList<>();
        for (String t : pointer.substring(1).split("/", -1)) {
            tokens.add(t.replace("~1", "/").replace("~0", "~"));
        }
        Node parent = root;
        List<Node> path = new ArrayList<>(List.of(root));
        for (int i = 0; i < tokens.size() - 1; i++) {
            parent = child(parent, tokens.get(i), pointer);
            path.add(parent);
        }
        // What is added is written in block style; a flow collection on the way ({name: c, image: x}) opens up to
        // block so that the addition stays readable, while its other entries keep their flow style.
        for (Node n : path) {
            if (n instanceof MappingNode m && m.getFlowStyle() == DumperOptions.FlowStyle.FLOW) {
                m.setFlowStyle(DumperOptions.FlowStyle.BLOCK);
            } else if (n instanceof SequenceNode q && q.getFlowStyle() == DumperOptions.FlowStyle.FLOW) {
                q.setFlowStyle(DumperOptions.FlowStyle.BLOCK);
            }
        }
        String last = tokens.get(tokens.size() - 1);
        Node node = yaml.represent(JSON.convertValue(value, Object.class));
        if (parent instanceof MappingNode m) {
            List<NodeTuple> tuples = m.getValue();
            for (int i = 0; i < tuples.size(); i++) {
                if (tuples.get(i).getKeyNode() instanceof ScalarNode k && k.getValue().equals(last)) {
                    tuples.set(i, new NodeTuple(k, node));
                    return;
                }
            }
            tuples.add(new NodeTuple(yaml.represent(last), node));
        } else if (parent instanceof SequenceNode s) {
            if (last.equals("-")) {
                s.getValue().add(node);
            } else {
                s.getValue().add(Integer.parseInt(last), node);
            }
        } else {
            throw new IllegalArgumentException("cannot add at " + pointer + ": parent is a scalar");
        }
    }

    private static Node child(Node parent, String token, String pointer) {
        if (parent instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(token)) {
                    return t.getValueNode();
                }
            }
        } else if (parent instanceof SequenceNode s) {
            int i = Integer.parseInt(token);
            if (i < s.getValue().size()) {
                return s.getValue().get(i);
            }
        }
        throw new IllegalArgumentException("cannot add at " + pointer + ": no " + token);
    }
}

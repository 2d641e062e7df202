package dev.rofsguard.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads manifests as {@code kubectl apply} would: YAML or JSON files, directories recursively, stdin; several
 * documents per stream; {@code kind: List} and {@code *List} kinds expanded. Each document is parsed on its own
 * (SnakeYAML, keeping line numbers), so one broken document is reported and the others are still read.
 */
public final class ManifestReader {

    private static final JsonNodeFactory N = JsonNodeFactory.instance;

    public record Result(List<Document> documents, List<ManifestError> errors) {
    }

    /** @param inputs files, directories, or {@code -} for stdin */
    public static Result read(List<String> inputs, InputStream stdin) {
        List<Document> documents = new ArrayList<>();
        List<ManifestError> errors = new ArrayList<>();
        for (String input : inputs) {
            if (input.equals("-")) {
                try {
                    parse("-", new String(stdin.readAllBytes(), StandardCharsets.UTF_8), documents, errors);
                } catch (IOException e) {
                    errors.add(new ManifestError("-", 0, "cannot read stdin: " + e.getMessage()));
                }
                continue;
            }
            Path path = Path.of(input);
            if (Files.isDirectory(path)) {
                try (Stream<Path> walk = Files.walk(path)) {
                    for (Path f : walk.filter(Files::isRegularFile).filter(ManifestReader::isManifest).sorted().toList()) {
                        readFile(f, documents, errors);
                    }
                } catch (IOException e) {
                    errors.add(new ManifestError(input, 0, "cannot list directory: " + e.getMessage()));
                }
            } else {
                readFile(path, documents, errors);
            }
        }
        return new Result(documents, errors);
    }

    private static boolean isManifest(Path p) {
        String n = p.getFileName().toString().toLowerCase();
        return n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json");
    }

    private static void readFile(Path file, List<Document> documents, List<ManifestError> errors) {
        try {
            parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8), documents, errors);
        } catch (IOException e) {
            errors.add(new ManifestError(file.toString(), 0, "cannot read: " + e.getMessage()));
        } catch (java.io.UncheckedIOException e) {
            errors.add(new ManifestError(file.toString(), 0, "cannot read (not UTF-8 text?): " + e.getMessage()));
        }
    }

    /** Splits a stream at document markers and parses each document alone, with its line offset. */
    public static void parse(String source, String text, List<Document> documents, List<ManifestError> errors) {
        String[] lines = text.split("\n", -1);
        int start = 0;
        for (int i = 0; i <= lines.length; i++) {
            boolean end = i == lines.length;
            boolean marker = !end && (lines[i].startsWith("---") && (lines[i].length() == 3 || Character.isWhitespace(lines[i].charAt(3)))
                    || lines[i].equals("..."));
            if (end || marker) {
                StringBuilder doc = new StringBuilder();
                for (int j = start; j < i; j++) {
                    doc.append(lines[j]).append('\n');
                }
                parseOne(source, start, doc.toString(), documents, errors);
                start = i + 1;
                if (marker && lines[i].length() > 3 && !lines[i].substring(3).isBlank() && !lines[i].substring(3).trim().startsWith("#")) {
                    // "--- {inline: document}" keeps its content on the marker line
                    start = i;
                    lines[i] = "   " + lines[i].substring(3);
                }
            }
        }
    }

    private static void parseOne(String source, int offset, String text, List<Document> documents, List<ManifestError> errors) {
        if (text.isBlank() || text.lines().allMatch(l -> l.isBlank() || l.trim().startsWith("#"))) {
            return;
        }
        Node root;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            options.setMaxAliasesForCollections(50);
            root = new Yaml(options).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            int line = offset + (e.getProblemMark() != null ? e.getProblemMark().getLine() + 1 : 1);
            errors.add(new ManifestError(source, line, "not valid YAML: " + e.getProblem()));
            return;
        } catch (YAMLException e) {
            errors.add(new ManifestError(source, offset + 1, "not valid YAML: " + e.getMessage()));
            return;
        }
        if (root == null) {
            return;
        }
        Map<String, Integer> lines = new HashMap<>();
        JsonNode object;
        try {
            object = convert(root, "", offset, lines);
        } catch (IllegalArgumentException e) {
            errors.add(new ManifestError(source, offset + root.getStartMark().getLine() + 1, e.getMessage()));
            return;
        }
        int line = offset + root.getStartMark().getLine() + 1;
        if (!object.isObject()) {
            errors.add(new ManifestError(source, line, "a manifest document must be a mapping, not a " + object.getNodeType().name().toLowerCase()));
            return;
        }
        expand(source, line, object, lines, "", documents, errors);
    }

    /** {@code kind: List} and {@code *List} kinds: each item is a document of its own. */
    private static void expand(String source, int line, JsonNode object, Map<String, Integer> lines, String base,
                               List<Document> documents, List<ManifestError> errors) {
        String kind = object.path("kind").asText("");
        if (kind.endsWith("List") && object.path("items").isArray()) {
            ArrayNode items = (ArrayNode) object.get("items");
            for (int i = 0; i < items.size(); i++) {
                String prefix = base + "/items/" + i;
                Map<String, Integer> itemLines = new HashMap<>();
                lines.forEach((k, v) -> {
                    if (k.equals(prefix) || k.startsWith(prefix + "/")) {
                        itemLines.put(k.substring(prefix.length()), v);
                    }
                });
                JsonNode item = items.get(i);
                int itemLine = lines.getOrDefault(prefix, line);
                if (!item.isObject()) {
                    errors.add(new ManifestError(source, itemLine, kind + " item " + i + " is not an object"));
                    continue;
                }
                expand(source, itemLine, item, itemLines, "", documents, errors);
            }
            return;
        }
        documents.add(new Document(source, line, object, Map.copyOf(lines)));
    }

    private static JsonNode convert(Node node, String pointer, int offset, Map<String, Integer> lines) {
        lines.put(pointer, offset + node.getStartMark().getLine() + 1);
        if (node instanceof MappingNode m) {
            ObjectNode o = N.objectNode();
            for (NodeTuple t : m.getValue()) {
                if (!(t.getKeyNode() instanceof ScalarNode k)) {
                    throw new IllegalArgumentException("a mapping key must be a scalar");
                }
                String key = k.getValue();
                if (o.has(key)) {
                    // kubectl refuses these too (sigs.k8s.io/yaml): which value wins would be a guess
                    throw new IllegalArgumentException("duplicate key '" + key + "' at line " + (offset + k.getStartMark().getLine() + 1));
                }
                o.set(key, convert(t.getValueNode(), pointer + "/" + key.replace("~", "~0").replace("/", "~1"), offset, lines));
            }
            return o;
        }
        if (node instanceof SequenceNode s) {
            ArrayNode a = N.arrayNode();
            for (int i = 0; i < s.getValue().size(); i++) {
                a.add(convert(s.getValue().get(i), pointer + "/" + i, offset, lines));
            }
            return a;
        }
        ScalarNode sc = (ScalarNode) node;
        Tag tag = sc.getTag();
        String v = sc.getValue();
        if (Tag.NULL.equals(tag)) {
            return N.nullNode();
        }
        if (Tag.BOOL.equals(tag)) {
            String b = v.toLowerCase();
            return N.booleanNode(b.equals("true") || b.equals("yes") || b.equals("on") || b.equals("y"));
        }
        if (Tag.INT.equals(tag)) {
            try {
                return N.numberNode(new BigInteger(v.replace("_", "")).longValueExact());
            } catch (ArithmeticException | NumberFormatException e) {
                return N.textNode(v);
            }
        }
        if (Tag.FLOAT.equals(tag)) {
            try {
                return N.numberNode(Double.parseDouble(v.replace("_", "")));
            } catch (NumberFormatException e) {
                return N.textNode(v);
            }
        }
        return N.textNode(v);
    }

    private ManifestReader() {
    }
}

package dev.rofsguard.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
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
        return read(inputs, stdin, List.of());
    }

    /**
     * @param inputs   files, directories, or {@code -} for stdin
     * @param excludes globs ({@code **}{@code /templates/**}, {@code *.tpl.yaml}) matched against each file's path
     *                 relative to the directory walked, its file name, and the path as given
     */
    public static Result read(List<String> inputs, InputStream stdin, List<String> excludes) {
        List<PathMatcher> skip = excludes.stream().map(g -> FileSystems.getDefault().getPathMatcher("glob:" + g)).toList();
        List<Document> documents = new ArrayList<>();
        List<ManifestError> errors = new ArrayList<>();
        for (String input : inputs) {
            if (input.equals("-")) {
                try {
                    readText("-", stdin.readAllBytes(), false, documents, errors);
                } catch (IOException e) {
                    errors.add(new ManifestError("-", 0, "cannot read stdin: " + e.getMessage()));
                }
                continue;
            }
            Path path = Path.of(input);
            if (Files.isDirectory(path)) {
                Path parent = path.toAbsolutePath().getParent();
                boolean chart = Files.isRegularFile(path.resolve("Chart.yaml")) || (parent != null && Files.isRegularFile(parent.resolve("Chart.yaml")));
                try (Stream<Path> walk = Files.walk(path)) {
                    for (Path f : walk.filter(Files::isRegularFile).filter(ManifestReader::isManifest).sorted().toList()) {
                        if (!excluded(skip, path.relativize(f), f)) {
                            readFile(f, chart, documents, errors);
                        }
                    }
                } catch (IOException | java.io.UncheckedIOException e) {
                    errors.add(new ManifestError(input, 0, "cannot list directory: " + e.getMessage()));
                }
            } else if (!excluded(skip, path, path)) {
                readFile(path, false, documents, errors);
            }
        }
        return new Result(documents, errors);
    }

    private static boolean excluded(List<PathMatcher> skip, Path relative, Path file) {
        for (PathMatcher m : skip) {
            if (m.matches(relative) || m.matches(file) || (file.getFileName() != null && m.matches(file.getFileName()))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isManifest(Path p) {
        String n = p.getFileName().toString().toLowerCase();
        return n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json");
    }

    private static void readFile(Path file, boolean inChart, List<Document> documents, List<ManifestError> errors) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            errors.add(new ManifestError(file.toString(), 0, "no such file or directory"));
            return;
        } catch (AccessDeniedException e) {
            errors.add(new ManifestError(file.toString(), 0, "permission denied"));
            return;
        } catch (IOException e) {
            errors.add(new ManifestError(file.toString(), 0, "cannot read: " + e));
            return;
        }
        readText(file.toString(), bytes, inChart, documents, errors);
    }

    /** Bytes to documents: binary content, text that is not UTF-8 and Helm templates are each one clear error. */
    private static void readText(String source, byte[] bytes, boolean inChart, List<Document> documents, List<ManifestError> errors) {
        for (int i = 0; i < Math.min(bytes.length, 8192); i++) {
            if (bytes[i] == 0) {
                errors.add(new ManifestError(source, 0, "a binary file (NUL byte at offset " + i + "), not a YAML or JSON manifest"));
                return;
            }
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            errors.add(new ManifestError(source, 0, "not UTF-8 text (a binary file, or another encoding): kubectl reads UTF-8 only"));
            return;
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        List<Document> read = new ArrayList<>();
        List<ManifestError> problems = new ArrayList<>();
        parse(source, text, read, problems);
        int template = templateLine(text);
        if (template > 0 && (!problems.isEmpty() || inChart)) {
            // One error that names the cause instead of one per document: templates are not manifests until rendered.
            errors.add(new ManifestError(source, template, "a Helm (Go) template ({{ at line " + template
                    + "), not a manifest: render with helm template first, e.g. helm template CHART | rofs-guard audit -"));
            return;
        }
        documents.addAll(read);
        errors.addAll(problems);
    }

    /** 1-based line of the first {@code {{ … }}} action, or 0. */
    private static int templateLine(String text) {
        int at = text.indexOf("{{");
        if (at < 0 || text.indexOf("}}", at) < 0) {
            return 0;
        }
        int line = 1;
        for (int i = 0; i < at; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    /** Splits a stream at document markers and parses each document alone, with its line offset. */
    public static void parse(String source, String text, List<Document> documents, List<ManifestError> errors) {
        boolean json = source.toLowerCase().endsWith(".json") || text.stripLeading().startsWith("{");
        String[] lines = text.split("\n", -1);
        int start = 0;
        int index = 0;
        for (int i = 0; i <= lines.length; i++) {
            boolean end = i == lines.length;
            boolean marker = !end && (lines[i].startsWith("---") && (lines[i].length() == 3 || Character.isWhitespace(lines[i].charAt(3)))
                    || lines[i].equals("..."));
            if (end || marker) {
                StringBuilder doc = new StringBuilder();
                for (int j = start; j < i; j++) {
                    doc.append(lines[j]).append('\n');
                }
                if (parseOne(source, index, start, doc.toString(), json, documents, errors)) {
                    index++;
                }
                start = i + 1;
                if (marker && lines[i].length() > 3 && !lines[i].substring(3).isBlank() && !lines[i].substring(3).trim().startsWith("#")) {
                    // "--- {inline: document}" keeps its content on the marker line
                    start = i;
                    lines[i] = "   " + lines[i].substring(3);
                }
            }
        }
    }

    /** @return whether the text held a document (empty and comment-only ones do not count) */
    private static boolean parseOne(String source, int index, int offset, String text, boolean json, List<Document> documents,
                                    List<ManifestError> errors) {
        if (text.isBlank() || text.lines().allMatch(l -> l.isBlank() || l.trim().startsWith("#"))) {
            return false;
        }
        Document.Segment segment = new Document.Segment(source, index, offset, text, json);
        Node root;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            options.setMaxAliasesForCollections(50);
            // Merge keys (<<: *anchor), as kubectl (sigs.k8s.io/yaml) and Compose resolve them: explicit keys win.
            options.setMergeOnCompose(true);
            root = new Yaml(options).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            int line = offset + (e.getProblemMark() != null ? e.getProblemMark().getLine() + 1 : 1);
            errors.add(new ManifestError(source, line, "not valid YAML: " + e.getProblem()));
            return true;
        } catch (YAMLException e) {
            errors.add(new ManifestError(source, offset + 1, "not valid YAML: " + e.getMessage()));
            return true;
        }
        if (root == null) {
            return false;
        }
        Map<String, Integer> lines = new HashMap<>();
        JsonNode object;
        try {
            object = convert(root, "", offset, lines);
        } catch (IllegalArgumentException e) {
            errors.add(new ManifestError(source, offset + root.getStartMark().getLine() + 1, e.getMessage()));
            return true;
        }
        int line = offset + root.getStartMark().getLine() + 1;
        if (!object.isObject()) {
            errors.add(new ManifestError(source, line, "a manifest document must be a mapping, not a " + object.getNodeType().name().toLowerCase()));
            return true;
        }
        expand(source, line, object, lines, segment, "", documents, errors);
        return true;
    }

    /** {@code kind: List} and {@code *List} kinds: each item is a document of its own. */
    private static void expand(String source, int line, JsonNode object, Map<String, Integer> lines, Document.Segment segment,
                               String base, List<Document> documents, List<ManifestError> errors) {
        String kind = object.path("kind").asText("");
        if (kind.endsWith("List") && object.path("items").isArray()) {
            ArrayNode items = (ArrayNode) object.get("items");
            for (int i = 0; i < items.size(); i++) {
                String prefix = "/items/" + i; // lines are relative to this object; base is the pointer in the segment
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
                expand(source, itemLine, item, itemLines, segment, base + prefix, documents, errors);
            }
            return;
        }
        documents.add(new Document(source, line, object, Map.copyOf(lines), segment, base));
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

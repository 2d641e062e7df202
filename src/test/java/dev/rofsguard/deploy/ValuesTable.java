package dev.rofsguard.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The values table of the chart README, generated from values.schema.json (key, type, description) and values.yaml
 * (default), between two markers. {@link ChartReadmeTest} fails when the README's table differs; to rewrite it:
 * {@code ./mvnw -B -q -o test -Dtest=ChartReadmeTest -Dchart.readme.update=true}.
 */
public final class ValuesTable {

    public static final String START = "<!-- values-table:start (generated from values.schema.json; see ValuesTable) -->";
    public static final String END = "<!-- values-table:end -->";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ValuesTable() {
    }

    /** Keys of the schema's leaves (nodes without properties), dotted, in schema order. */
    public static void leaves(JsonNode schema, String prefix, List<String> out) {
        JsonNode props = schema.path("properties");
        if (!props.isObject() || props.isEmpty()) {
            out.add(prefix);
            return;
        }
        for (Iterator<String> it = props.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            leaves(props.get(name), prefix.isEmpty() ? name : prefix + "." + name, out);
        }
    }

    public static String generate(Path chart) throws IOException {
        JsonNode schema = JSON.readTree(chart.resolve("values.schema.json").toFile());
        JsonNode values = YAML.readTree(chart.resolve("values.yaml").toFile());
        List<String> keys = new ArrayList<>();
        leaves(schema, "", keys);
        StringBuilder t = new StringBuilder("| Key | Type | Default | Description |\n|---|---|---|---|\n");
        for (String key : keys) {
            JsonNode node = schema;
            JsonNode value = values;
            for (String part : key.split("\\.")) {
                node = node.path("properties").path(part);
                value = value == null ? null : value.get(part);
            }
            String description = node.path("description").asText("");
            if (description.isEmpty()) {
                throw new IllegalStateException(key + " has no description in values.schema.json");
            }
            t.append("| `").append(key).append("` | ").append(type(schema, node)).append(" | ")
                    .append(value == null || value.isNull() ? "" : "`" + JSON.writeValueAsString(value) + "`")
                    .append(" | ").append(description.replace("|", "\\|")).append(" |\n");
        }
        return t.toString();
    }

    private static String type(JsonNode schema, JsonNode node) {
        JsonNode resolved = node.has("$ref") ? schema.at(node.get("$ref").asText().substring(1)) : node;
        if (resolved.has("enum")) {
            List<String> values = new ArrayList<>();
            resolved.get("enum").forEach(v -> values.add(v.asText()));
            return String.join(" \\| ", values);
        }
        if (resolved.has("oneOf")) {
            List<String> types = new ArrayList<>();
            resolved.get("oneOf").forEach(v -> types.add(v.path("type").asText()));
            return String.join(" or ", types);
        }
        JsonNode type = resolved.path("type");
        if (type.isArray()) {
            List<String> types = new ArrayList<>();
            type.forEach(v -> types.add(v.asText()));
            return String.join(" or ", types);
        }
        return type.asText("any");
    }

    /** The README with its table section replaced by {@code table}. */
    public static String replace(String readme, String table) {
        int start = readme.indexOf(START);
        int end = readme.indexOf(END);
        if (start < 0 || end < start) {
            throw new IllegalStateException("README lacks the values-table markers");
        }
        return readme.substring(0, start + START.length()) + "\n" + table + readme.substring(end);
    }

    /** The table section as it is in the README. */
    public static String current(String readme) {
        int start = readme.indexOf(START);
        int end = readme.indexOf(END);
        if (start < 0 || end < start) {
            throw new IllegalStateException("README lacks the values-table markers");
        }
        return readme.substring(start + START.length() + 1, end);
    }

    public static void main(String[] args) throws IOException {
        Path chart = Path.of(args.length > 0 ? args[0] : "charts/rofs-guard");
        Path readme = chart.resolve("README.md");
        Files.writeString(readme, replace(Files.readString(readme), generate(chart)));
    }
}

package dev.rofsguard.compose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Compose's variable interpolation, as {@code docker compose} reads a file before running it: {@code $VAR},
 * {@code ${VAR}}, {@code ${VAR:-default}} (unset or empty), {@code ${VAR-default}} (unset), {@code $$} for a dollar.
 * Values come from the environment of the audit, then the {@code .env} file beside the Compose file; a variable with
 * no value and no default ({@code ${VAR:?message}} included) stays as written, so the judge says what it cannot read.
 */
final class Interpolation {

    private final Map<String, String> values;

    Interpolation(Map<String, String> values) {
        this.values = values;
    }

    /** The environment, over the {@code .env} file in {@code dir} (docker compose's order: the shell wins). */
    static Interpolation forFileIn(Path dir) {
        Map<String, String> values = new HashMap<>();
        Path dotEnv = dir == null ? null : dir.resolve(".env");
        if (dotEnv != null && Files.isRegularFile(dotEnv)) {
            try {
                for (String line : Files.readAllLines(dotEnv)) {
                    String l = line.strip();
                    int eq = l.indexOf('=');
                    if (l.isEmpty() || l.startsWith("#") || eq <= 0) {
                        continue;
                    }
                    String value = l.substring(eq + 1).strip();
                    if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"") || value.startsWith("'") && value.endsWith("'"))) {
                        value = value.substring(1, value.length() - 1);
                    }
                    values.put(l.substring(0, eq).strip().replaceFirst("^export\\s+", ""), value);
                }
            } catch (IOException unreadable) {
                // as if absent: the variables then keep their defaults
            }
        }
        values.putAll(System.getenv());
        return new Interpolation(values);
    }

    /** A copy of the tree with every string interpolated. */
    JsonNode apply(JsonNode node) {
        if (node.isTextual()) {
            return TextNode.valueOf(apply(node.textValue()));
        }
        if (node.isObject()) {
            ObjectNode copy = ((ObjectNode) node).objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                copy.set(e.getKey(), apply(e.getValue()));
            }
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = ((ArrayNode) node).arrayNode();
            node.forEach(x -> copy.add(apply(x)));
            return copy;
        }
        return node;
    }

    String apply(String s) {
        if (s.indexOf('$') < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != '$' || i + 1 >= s.length()) {
                out.append(c);
                i++;
                continue;
            }
            char next = s.charAt(i + 1);
            if (next == '$') {
                out.append('$');
                i += 2;
            } else if (next == '{') {
                int end = closing(s, i + 2);
                if (end < 0) {
                    out.append(s, i, s.length());
                    break;
                }
                out.append(braced(s.substring(i + 2, end), s.substring(i, end + 1)));
                i = end + 1;
            } else if (Character.isLetter(next) || next == '_') {
                int j = i + 1;
                while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
                    j++;
                }
                String name = s.substring(i + 1, j);
                out.append(values.containsKey(name) ? values.get(name) : s.substring(i, j));
                i = j;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** The index of the brace closing the one opened before {@code from}, nesting counted; -1 if none. */
    private static int closing(String s, int from) {
        int depth = 1;
        for (int i = from; i < s.length(); i++) {
            if (s.charAt(i) == '{') {
                depth++;
            } else if (s.charAt(i) == '}' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }

    private String braced(String inner, String written) {
        int op = 0;
        while (op < inner.length() && (Character.isLetterOrDigit(inner.charAt(op)) || inner.charAt(op) == '_')) {
            op++;
        }
        String name = inner.substring(0, op);
        String rest = inner.substring(op);
        String value = values.get(name);
        if (rest.isEmpty()) {
            return value != null ? value : written;
        }
        if (rest.startsWith(":-")) {
            return value != null && !value.isEmpty() ? value : apply(rest.substring(2));
        }
        if (rest.startsWith("-")) {
            return value != null ? value : apply(rest.substring(1));
        }
        // ${VAR:?message}, ${VAR?message}, ${VAR:+alt} and the like: the value if set, else as written.
        return value != null && !rest.startsWith(":+") && !rest.startsWith("+") ? value : written;
    }
}

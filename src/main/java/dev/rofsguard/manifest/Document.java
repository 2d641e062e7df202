package dev.rofsguard.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * One object read from a manifest.
 *
 * @param source file name, or {@code -} for stdin
 * @param line   1-based line where the object starts
 * @param object the object as a JSON tree (YAML typed as Kubernetes reads it: a quoted "true" stays a string)
 * @param lines  1-based line of each mapping and sequence item in the object, by RFC 6901 pointer
 */
public record Document(String source, int line, JsonNode object, Map<String, Integer> lines) {

    /** The line of the node at {@code pointer}, or of the object when the YAML gives none. */
    public int lineOf(String pointer) {
        Integer l = lines.get(pointer);
        return l != null ? l : line;
    }
}

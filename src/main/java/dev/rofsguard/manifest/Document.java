package dev.rofsguard.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * One object read from a manifest.
 *
 * @param source  file name, or {@code -} for stdin
 * @param line    1-based line where the object starts
 * @param object  the object as a JSON tree (YAML typed as Kubernetes reads it: a quoted "true" stays a string)
 * @param lines   1-based line of each mapping and sequence item in the object, by RFC 6901 pointer
 * @param segment the YAML document of the stream this object was read from (several objects share one when it is
 *                a {@code List}), or null for objects that were not read from text (live objects)
 * @param base    RFC 6901 pointer of this object inside the segment ({@code ""}, or {@code /items/3} in a List)
 */
public record Document(String source, int line, JsonNode object, Map<String, Integer> lines, Segment segment, String base) {

    public Document(String source, int line, JsonNode object, Map<String, Integer> lines) {
        this(source, line, object, lines, null, "");
    }

    /**
     * One document of a YAML stream as written, for renderings that must keep it ({@code audit --fix}).
     *
     * @param index  position of the document in its source (0-based)
     * @param offset lines before it in the source
     * @param text   its text
     * @param json   whether the source is JSON (rendered back as JSON)
     */
    public record Segment(String source, int index, int offset, String text, boolean json) {
    }

    /** The line of the node at {@code pointer}, or of the object when the YAML gives none. */
    public int lineOf(String pointer) {
        Integer l = lines.get(pointer);
        return l != null ? l : line;
    }
}

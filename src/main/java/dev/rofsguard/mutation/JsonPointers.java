package dev.rofsguard.mutation;

/** RFC 6901 JSON pointers. */
public final class JsonPointers {

    private JsonPointers() {
    }

    /** Escapes one reference token: {@code ~} first, then {@code /}. */
    public static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    public static String pointer(String... tokens) {
        StringBuilder s = new StringBuilder();
        for (String t : tokens) {
            s.append('/').append(escape(t));
        }
        return s.toString();
    }
}

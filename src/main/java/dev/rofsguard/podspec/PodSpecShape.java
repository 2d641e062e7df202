package dev.rofsguard.podspec;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Type-checks every field of a pod spec the engine reads, as the API server would, so that no shape it does not
 * understand can pass (fail closed): a wrong JSON type, a missing container name or image, duplicate container names
 * (unique across all three lists), duplicate volume names or mount paths. Linear in the size of the spec.
 */
final class PodSpecShape {

    private PodSpecShape() {
    }

    /** The first problem, as a field path and what is wrong; empty when the spec has the shape the engine reads. */
    static Optional<String> problem(String specPath, JsonNode spec, JsonNode podMetadata) {
        // Field paths are built only for a problem: this runs over every container of every admission.
        Distinct names = new Distinct();
        int containers = 0;
        for (ContainerKind kind : ContainerKind.values()) {
            JsonNode list = spec.get(kind.field());
            if (list == null || list.isNull()) {
                continue;
            }
            if (!list.isArray()) {
                return Optional.of(specPath + "." + kind.field() + " must be a list, not " + type(list));
            }
            for (int i = 0; i < list.size(); i++) {
                String bad = container(list.get(i), names);
                if (bad != null) {
                    return Optional.of(specPath + "." + kind.field() + "[" + i + "]" + bad);
                }
                if (kind == ContainerKind.CONTAINER) {
                    containers++;
                }
            }
        }
        if (containers == 0) {
            return Optional.of(specPath + ".containers must list at least one container");
        }
        JsonNode volumes = spec.get("volumes");
        if (volumes != null && !volumes.isNull()) {
            if (!volumes.isArray()) {
                return Optional.of(specPath + ".volumes must be a list, not " + type(volumes));
            }
            Distinct volumeNames = new Distinct();
            for (int i = 0; i < volumes.size(); i++) {
                JsonNode v = volumes.get(i);
                String wrong = !v.isObject() ? " must be an object, not " + type(v)
                        : !nonEmptyText(v.get("name")) ? ".name must be a non-empty string"
                        : !volumeNames.add(v.get("name").textValue()) ? ".name \"" + v.get("name").textValue() + "\" is used by another volume"
                        : null;
                if (wrong != null) {
                    return Optional.of(specPath + ".volumes[" + i + "]" + wrong);
                }
            }
        }
        String bad = objectOrNull(spec.get("os"));
        if (bad != null) {
            return Optional.of(specPath + ".os" + bad);
        }
        if (spec.path("os").isObject() && (bad = textOrNull(spec.path("os").get("name"))) != null) {
            return Optional.of(specPath + ".os.name" + bad);
        }
        if ((bad = stringMap(spec.get("nodeSelector"))) != null) {
            return Optional.of(specPath + ".nodeSelector" + bad);
        }
        if (podMetadata != null && !podMetadata.isMissingNode()) {
            if ((bad = objectOrNull(podMetadata)) != null) {
                return Optional.of("metadata" + bad);
            }
            if (podMetadata.isObject() && (bad = stringMap(podMetadata.get("annotations"))) != null) {
                return Optional.of("metadata.annotations" + bad);
            }
        }
        return Optional.empty();
    }

    /** What is wrong with one container, as the rest of a message after its field path; null when nothing is. */
    private static String container(JsonNode c, Distinct names) {
        if (!c.isObject()) {
            return " must be an object, not " + type(c);
        }
        if (!nonEmptyText(c.get("name"))) {
            return ".name must be a non-empty string";
        }
        if (!names.add(c.get("name").textValue())) {
            return ".name \"" + c.get("name").textValue()
                    + "\" is used by another container (names are unique across containers, initContainers and ephemeralContainers)";
        }
        if (!nonEmptyText(c.get("image"))) {
            return ".image must be a non-empty string";
        }
        String bad;
        if ((bad = objectOrNull(c.get("securityContext"))) != null) {
            return ".securityContext" + bad;
        }
        if ((bad = stringList(c.get("command"))) != null) {
            return ".command" + bad;
        }
        if ((bad = stringList(c.get("args"))) != null) {
            return ".args" + bad;
        }
        JsonNode env = c.get("env");
        if (env != null && !env.isNull()) {
            if (!env.isArray()) {
                return ".env must be a list, not " + type(env);
            }
            for (int i = 0; i < env.size(); i++) {
                JsonNode e = env.get(i);
                if (!e.isObject() || !nonEmptyText(e.get("name"))) {
                    return ".env[" + i + "] must be an object with a non-empty name";
                }
                if ((bad = textOrNull(e.get("value"))) != null) {
                    return ".env[" + i + "].value" + bad;
                }
            }
        }
        JsonNode mounts = c.get("volumeMounts");
        if (mounts != null && !mounts.isNull()) {
            if (!mounts.isArray()) {
                return ".volumeMounts must be a list, not " + type(mounts);
            }
            Distinct paths = new Distinct();
            for (int i = 0; i < mounts.size(); i++) {
                JsonNode m = mounts.get(i);
                if (!m.isObject()) {
                    return ".volumeMounts[" + i + "] must be an object, not " + type(m);
                }
                if (!nonEmptyText(m.get("name"))) {
                    return ".volumeMounts[" + i + "].name must be a non-empty string";
                }
                if (!nonEmptyText(m.get("mountPath"))) {
                    return ".volumeMounts[" + i + "].mountPath must be a non-empty string";
                }
                if (!paths.add(m.get("mountPath").textValue())) {
                    return ".volumeMounts[" + i + "].mountPath \"" + m.get("mountPath").textValue() + "\" is mounted twice";
                }
                JsonNode readOnly = m.get("readOnly");
                if (readOnly != null && !readOnly.isNull() && !readOnly.isBoolean()) {
                    return ".volumeMounts[" + i + "].readOnly must be a boolean, not " + type(readOnly);
                }
                if ((bad = textOrNull(m.get("subPath"))) != null) {
                    return ".volumeMounts[" + i + "].subPath" + bad;
                }
            }
        }
        return null;
    }

    /**
     * Whether each string is new: a scan while there are few (a pod has a handful of containers, mounts and volumes),
     * a hash set beyond that, so that a huge pod spec is still checked in linear time.
     */
    private static final class Distinct {
        private static final int SCANNED = 8;
        private final String[] few = new String[SCANNED];
        private int count;
        private Set<String> many;

        boolean add(String s) {
            if (many != null) {
                return many.add(s);
            }
            for (int i = 0; i < count; i++) {
                if (few[i].equals(s)) {
                    return false;
                }
            }
            if (count < SCANNED) {
                few[count++] = s;
                return true;
            }
            many = new HashSet<>(Arrays.asList(few));
            return many.add(s);
        }
    }

    private static boolean nonEmptyText(JsonNode n) {
        return n != null && n.isTextual() && !n.textValue().isEmpty();
    }

    // The checks below answer null when the value is fine, else the rest of the message after its field path.

    private static String objectOrNull(JsonNode n) {
        return n == null || n.isNull() || n.isObject() ? null : " must be an object, not " + type(n);
    }

    private static String textOrNull(JsonNode n) {
        return n == null || n.isNull() || n.isTextual() ? null : " must be a string, not " + type(n);
    }

    private static String stringList(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isArray()) {
            return " must be a list of strings, not " + type(n);
        }
        for (JsonNode item : n) {
            if (!item.isTextual()) {
                return " must be a list of strings; it holds " + type(item);
            }
        }
        return null;
    }

    private static String stringMap(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isObject()) {
            return " must be a map of strings, not " + type(n);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                return "[\"" + e.getKey() + "\"] must be a string, not " + type(e.getValue());
            }
        }
        return null;
    }

    private static String type(JsonNode n) {
        return switch (n.getNodeType()) {
            case ARRAY -> "a list";
            case OBJECT, POJO -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL, MISSING -> "null";
            case BINARY -> "binary";
        };
    }
}

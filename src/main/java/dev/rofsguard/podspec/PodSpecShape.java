package dev.rofsguard.podspec;

import com.fasterxml.jackson.databind.JsonNode;
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
        Set<String> names = new HashSet<>();
        int containers = 0;
        for (ContainerKind kind : ContainerKind.values()) {
            JsonNode list = spec.get(kind.field());
            String at = specPath + "." + kind.field();
            if (list == null || list.isNull()) {
                continue;
            }
            if (!list.isArray()) {
                return Optional.of(at + " must be a list, not " + type(list));
            }
            for (int i = 0; i < list.size(); i++) {
                String item = at + "[" + i + "]";
                Optional<String> p = container(item, list.get(i), names);
                if (p.isPresent()) {
                    return p;
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
            Set<String> volumeNames = new HashSet<>();
            for (int i = 0; i < volumes.size(); i++) {
                JsonNode v = volumes.get(i);
                String at = specPath + ".volumes[" + i + "]";
                if (!v.isObject()) {
                    return Optional.of(at + " must be an object, not " + type(v));
                }
                if (!nonEmptyText(v.get("name"))) {
                    return Optional.of(at + ".name must be a non-empty string");
                }
                if (!volumeNames.add(v.get("name").textValue())) {
                    return Optional.of(at + ".name \"" + v.get("name").textValue() + "\" is used by another volume");
                }
            }
        }
        Optional<String> p = objectOrNull(specPath + ".os", spec.get("os"));
        if (p.isEmpty() && spec.path("os").isObject()) {
            p = textOrNull(specPath + ".os.name", spec.path("os").get("name"));
        }
        if (p.isEmpty()) {
            p = stringMap(specPath + ".nodeSelector", spec.get("nodeSelector"));
        }
        if (p.isEmpty() && podMetadata != null && !podMetadata.isMissingNode()) {
            p = objectOrNull("metadata", podMetadata);
            if (p.isEmpty() && podMetadata.isObject()) {
                p = stringMap("metadata.annotations", podMetadata.get("annotations"));
            }
        }
        return p;
    }

    private static Optional<String> container(String at, JsonNode c, Set<String> names) {
        if (!c.isObject()) {
            return Optional.of(at + " must be an object, not " + type(c));
        }
        if (!nonEmptyText(c.get("name"))) {
            return Optional.of(at + ".name must be a non-empty string");
        }
        if (!names.add(c.get("name").textValue())) {
            return Optional.of(at + ".name \"" + c.get("name").textValue()
                    + "\" is used by another container (names are unique across containers, initContainers and ephemeralContainers)");
        }
        if (!nonEmptyText(c.get("image"))) {
            return Optional.of(at + ".image must be a non-empty string");
        }
        Optional<String> p = objectOrNull(at + ".securityContext", c.get("securityContext"));
        if (p.isPresent()) {
            return p;
        }
        p = stringList(at + ".command", c.get("command"));
        if (p.isEmpty()) {
            p = stringList(at + ".args", c.get("args"));
        }
        if (p.isPresent()) {
            return p;
        }
        JsonNode env = c.get("env");
        if (env != null && !env.isNull()) {
            if (!env.isArray()) {
                return Optional.of(at + ".env must be a list, not " + type(env));
            }
            for (int i = 0; i < env.size(); i++) {
                JsonNode e = env.get(i);
                if (!e.isObject() || !nonEmptyText(e.get("name"))) {
                    return Optional.of(at + ".env[" + i + "] must be an object with a non-empty name");
                }
                p = textOrNull(at + ".env[" + i + "].value", e.get("value"));
                if (p.isPresent()) {
                    return p;
                }
            }
        }
        JsonNode mounts = c.get("volumeMounts");
        if (mounts != null && !mounts.isNull()) {
            if (!mounts.isArray()) {
                return Optional.of(at + ".volumeMounts must be a list, not " + type(mounts));
            }
            Set<String> paths = new HashSet<>();
            for (int i = 0; i < mounts.size(); i++) {
                JsonNode m = mounts.get(i);
                String mat = at + ".volumeMounts[" + i + "]";
                if (!m.isObject()) {
                    return Optional.of(mat + " must be an object, not " + type(m));
                }
                if (!nonEmptyText(m.get("name"))) {
                    return Optional.of(mat + ".name must be a non-empty string");
                }
                if (!nonEmptyText(m.get("mountPath"))) {
                    return Optional.of(mat + ".mountPath must be a non-empty string");
                }
                if (!paths.add(m.get("mountPath").textValue())) {
                    return Optional.of(mat + ".mountPath \"" + m.get("mountPath").textValue() + "\" is mounted twice");
                }
                JsonNode readOnly = m.get("readOnly");
                if (readOnly != null && !readOnly.isNull() && !readOnly.isBoolean()) {
                    return Optional.of(mat + ".readOnly must be a boolean, not " + type(readOnly));
                }
                p = textOrNull(mat + ".subPath", m.get("subPath"));
                if (p.isPresent()) {
                    return p;
                }
            }
        }
        return Optional.empty();
    }

    private static boolean nonEmptyText(JsonNode n) {
        return n != null && n.isTextual() && !n.textValue().isEmpty();
    }

    private static Optional<String> objectOrNull(String at, JsonNode n) {
        return n == null || n.isNull() || n.isObject() ? Optional.empty() : Optional.of(at + " must be an object, not " + type(n));
    }

    private static Optional<String> textOrNull(String at, JsonNode n) {
        return n == null || n.isNull() || n.isTextual() ? Optional.empty() : Optional.of(at + " must be a string, not " + type(n));
    }

    private static Optional<String> stringList(String at, JsonNode n) {
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isArray()) {
            return Optional.of(at + " must be a list of strings, not " + type(n));
        }
        for (JsonNode item : n) {
            if (!item.isTextual()) {
                return Optional.of(at + " must be a list of strings; it holds " + type(item));
            }
        }
        return Optional.empty();
    }

    private static Optional<String> stringMap(String at, JsonNode n) {
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isObject()) {
            return Optional.of(at + " must be a map of strings, not " + type(n));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                return Optional.of(at + "[\"" + e.getKey() + "\"] must be a string, not " + type(e.getValue()));
            }
        }
        return Optional.empty();
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

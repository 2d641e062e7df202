package dev.rofsguard.mutation;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The mutation of one object, planned once, as values: explicit operations against the incoming JSON (never a diff
 * of a re-serialised model) and why each is there. Every rendering starts from here: the webhook's JSON Patch,
 * {@code audit --fix}, kustomize patches, and the workload verdict (which applies the plan in memory).
 *
 * @param ops      RFC 6902 operations, in order; empty when there is nothing to do
 * @param changes  per container name: the entry that matched, the volumes mounted, whether the flag was set
 * @param blocked  per container name: why the catalog knows the image but cannot make it read-only (a data path with
 *                 nothing writable mounted, a path it cannot seed); such a container is left alone
 * @param warnings e.g. a database data path with no volume mounted
 * @param skipped  why the object was not considered (exempt, Windows, mutation off), or null
 */
public record Plan(List<Op> ops, Map<String, ContainerChange> changes, Map<String, String> blocked, List<String> warnings,
                   String skipped) {

    public static final Plan NONE = new Plan(List.of(), Map.of(), Map.of(), List.of(), null);

    public Plan {
        ops = List.copyOf(ops);
        changes = Collections.unmodifiableMap(new LinkedHashMap<>(changes)); // in container order: the record reads in it
        blocked = Collections.unmodifiableMap(new LinkedHashMap<>(blocked));
        warnings = List.copyOf(warnings);
    }

    public static Plan skipped(String reason) {
        return new Plan(List.of(), Map.of(), Map.of(), List.of(), reason);
    }

    /** One JSON Patch {@code add} and the reason for it. */
    public record Op(String path, JsonNode value, String why) {
    }

    /**
     * A volume mounted into a container: an emptyDir the plan adds (medium, sizeLimit) or an existing one (both null).
     *
     * @param seeded filled from the image by the seed init container before the app starts
     */
    public record Mount(String volume, String path, String medium, String sizeLimit, boolean seeded) {
    }

    /**
     * @param entry                  the catalog entry (or {@code ephemeral})
     * @param mounts                 what the plan mounts, in order
     * @param readOnlyRootFilesystem whether the plan sets the flag
     * @param seed                   the init container that fills its seeded paths, or null
     */
    public record ContainerChange(String entry, List<Mount> mounts, boolean readOnlyRootFilesystem, String seed) {

        public List<String> mounted() {
            return mounts.stream().map(Mount::path).toList();
        }
    }

    public boolean isEmpty() {
        return ops.isEmpty();
    }

    /**
     * The object with the plan applied, as the API server applies the webhook's patch (RFC 6902 {@code add}: set a
     * member, append with {@code -}, insert at an index), without rendering and re-parsing a patch document: the
     * workload verdict's hot path. The request is left as it was; the result shares its unchanged parts with it and
     * the added values with this plan, so it is for reading.
     */
    public JsonNode applyTo(JsonNode object) {
        // Copy on write: only the containers on an operation's path are copied (shallowly), the rest is shared with
        // the request, which stays untouched. A Deployment's verdict copies its template's few nodes, not the object.
        Set<JsonNode> copied = Collections.newSetFromMap(new IdentityHashMap<>());
        JsonNode root = shallowCopy(object);
        copied.add(root);
        for (Op op : ops) {
            JsonPointer pointer = JsonPointer.compile(op.path());
            JsonNode parent = root;
            for (JsonPointer p = pointer; p.tail() != null && !p.tail().matches(); p = p.tail()) {
                parent = child(parent, p, copied);
            }
            String last = pointer.last().getMatchingProperty();
            JsonNode value = op.value(); // shared with the plan, as the rest is with the request: the result is read, not changed
            if (parent instanceof ObjectNode o) {
                o.set(last, value);
            } else if (parent instanceof ArrayNode a) {
                if (last.equals("-")) {
                    a.add(value);
                } else {
                    a.insert(Integer.parseInt(last), value);
                }
            } else {
                throw new IllegalStateException("plan operation " + op.path() + " has no parent in the object"); // a planner bug
            }
        }
        return root;
    }

    /** The child {@code step} names in {@code parent} (already a copy), itself copied once and put in its place. */
    private static JsonNode child(JsonNode parent, JsonPointer step, Set<JsonNode> copied) {
        JsonNode child;
        if (parent instanceof ObjectNode o) {
            child = o.get(step.getMatchingProperty());
        } else if (parent instanceof ArrayNode a && step.getMatchingIndex() >= 0) {
            child = a.get(step.getMatchingIndex());
        } else {
            child = null;
        }
        if (child == null || !child.isContainerNode()) {
            return MissingNode.getInstance();
        }
        if (copied.contains(child)) {
            return child;
        }
        JsonNode copy = shallowCopy(child);
        copied.add(copy);
        if (parent instanceof ObjectNode o) {
            o.set(step.getMatchingProperty(), copy);
        } else {
            ((ArrayNode) parent).set(step.getMatchingIndex(), copy);
        }
        return copy;
    }

    private static JsonNode shallowCopy(JsonNode node) {
        if (node instanceof ObjectNode o) {
            ObjectNode copy = JsonNodeFactory.instance.objectNode();
            copy.setAll(o);
            return copy;
        }
        if (node instanceof ArrayNode a) {
            return JsonNodeFactory.instance.arrayNode(a.size()).addAll(a);
        }
        return node;
    }

    /** RFC 6902, as the webhook answers it. */
    public ArrayNode jsonPatch() {
        ArrayNode patch = JsonNodeFactory.instance.arrayNode();
        for (Op op : ops) {
            ObjectNode o = patch.addObject();
            o.put("op", "add").put("path", op.path()).set("value", op.value());
        }
        return patch;
    }
}

package dev.rofsguard.mutation;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.List;
import java.util.Map;

/**
 * What the mutation will do to one pod: explicit JSON Patch operations against the incoming JSON.
 *
 * @param patch    RFC 6902 operations; empty when there is nothing to do
 * @param changes  per container: the entry that matched, the paths mounted, whether the flag was set
 * @param warnings e.g. a database data path with no volume mounted
 * @param skipped  why the pod was not considered (exempt, Windows, mutation off), or null
 */
public record MutationPlan(ArrayNode patch, Map<String, ContainerChange> changes, List<String> warnings, String skipped) {

    public record ContainerChange(String entry, List<String> mounted, boolean readOnlyRootFilesystem) {
    }

    public boolean isEmpty() {
        return patch.isEmpty();
    }
}

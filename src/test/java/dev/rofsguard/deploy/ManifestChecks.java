package dev.rofsguard.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/** Checks shared by the deploy/ and Helm chart tests: typed parsing with nothing left over. */
public final class ManifestChecks {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private ManifestChecks() {
    }

    /** Reads one YAML document into fabric8's typed class for its kind (generic for kinds fabric8 does not model). */
    public static HasMetadata typed(String yaml) {
        return SERIALIZATION.unmarshal(yaml);
    }

    /**
     * Every field of a typed object was understood: nothing landed in {@code additionalProperties}, so a typo in a
     * field name fails. Returns the paths of leftovers.
     */
    public static List<String> leftovers(Object resource) {
        List<String> found = new ArrayList<>();
        if (!(resource instanceof GenericKubernetesResource)) {
            walk(resource, resource.getClass().getSimpleName(), found, new IdentityHashMap<>());
        }
        return found;
    }

    private static void walk(Object o, String path, List<String> found, IdentityHashMap<Object, Boolean> seen) {
        if (o == null || seen.put(o, Boolean.TRUE) != null) {
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object item : c) {
                walk(item, path + "[" + i++ + "]", found, seen);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> walk(v, path + "." + k, found, seen));
            return;
        }
        if (!(o instanceof KubernetesResource)) {
            return;
        }
        for (Method getter : o.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || getter.getDeclaringClass() == Object.class || !getter.getName().startsWith("get")) {
                continue;
            }
            try {
                Object value = getter.invoke(o);
                if (getter.getName().equals("getAdditionalProperties")) {
                    if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        found.add(path + " " + extra.keySet());
                    }
                } else {
                    walk(value, path + "." + getter.getName().substring(3), found, seen);
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    public static void assertFullyTyped(HasMetadata resource, String where) {
        assertThat(leftovers(resource)).as(where + ": fields fabric8 did not understand (a typo?)").isEmpty();
    }
}

package dev.rofsguard.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.rofsguard.image.ImagePattern;
import dev.rofsguard.mutation.MutationConfig;
import dev.rofsguard.podspec.WorkloadKind;
import dev.rofsguard.podspec.WorkloadKinds;
import dev.rofsguard.policy.Mode;
import dev.rofsguard.policy.PolicyConfig;
import dev.rofsguard.policy.Rules;
import dev.rofsguard.engine.EngineConfig;
import io.fabric8.kubernetes.client.utils.KubernetesResourceUtil;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the shipped default policy ({@code default-policy.yaml}) and a user's file over it: the user's maps merge
 * into the defaults, the user's lists and values replace them. Everything is validated; a bad file is refused
 * with a message that names the file and the field.
 */
public final class PolicyLoader {

    public static final String DEFAULT_RESOURCE = "/default-policy.yaml";
    public static final String CATALOG_RESOURCE = "/catalog.yaml";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    private static final Pattern GROUP = Pattern.compile("|[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");
    private static final Pattern KIND = Pattern.compile("[A-Z][A-Za-z0-9]{0,62}");

    private PolicyLoader() {
    }

    /**
     * @param userFile     a policy file over the defaults, or null for the defaults alone
     * @param ownNamespace the webhook's own namespace (always exempt), or null
     */
    public static EngineConfig load(Path userFile, String ownNamespace) throws ConfigException {
        ObjectNode merged = resource(DEFAULT_RESOURCE);
        ObjectNode catalog = resource(CATALOG_RESOURCE);
        if (userFile != null) {
            JsonNode user;
            try {
                user = YAML.readTree(Files.readAllBytes(userFile));
            } catch (IOException e) {
                throw new ConfigException(userFile + ": cannot read: " + message(e));
            }
            // An empty or comment-only file is a mistake (a truncated write, a ConfigMap key emptied), not a wish for
            // the built-in defaults: loading them would silently change the mode.
            if (user == null || user.isMissingNode() || user.isNull()) {
                throw new ConfigException(userFile + ": is empty (no YAML mapping); write {} to ask for the built-in defaults");
            }
            {
                if (!user.isObject()) {
                    throw new ConfigException(userFile + ": must be a YAML mapping at the top level");
                }
                JsonNode userCatalog = ((ObjectNode) user).remove("catalog");
                merge(merged, (ObjectNode) user);
                if (userCatalog != null && !userCatalog.isNull()) {
                    if (!userCatalog.isObject()) {
                        throw new ConfigException(userFile + ": catalog must be a mapping");
                    }
                    mergeCatalog(catalog, (ObjectNode) userCatalog, userFile.toString());
                }
            }
        }
        merged.set("catalog", catalog);
        return toConfig(merged, userFile == null ? "built-in defaults (default-policy.yaml, catalog.yaml)" : userFile.toString(), ownNamespace);
    }

    static ObjectNode resource(String name) throws ConfigException {
        try (InputStream in = PolicyLoader.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new ConfigException(name + " is missing from the classpath");
            }
            return (ObjectNode) YAML.readTree(in);
        } catch (IOException e) {
            throw new ConfigException(name + ": " + message(e));
        }
    }

    /**
     * The user's catalog over the shipped one: {@code defaults} and {@code allImages} merge as maps; entries merge
     * by name, the user's first (they win the match) and replacing a shipped entry of the same name.
     */
    static void mergeCatalog(ObjectNode base, ObjectNode user, String source) throws ConfigException {
        JsonNode userEntries = user.remove("entries");
        merge(base, user);
        if (userEntries == null || userEntries.isNull()) {
            return;
        }
        if (!userEntries.isArray()) {
            throw new ConfigException(source + ": catalog.entries must be a list");
        }
        Set<String> names = new java.util.HashSet<>();
        com.fasterxml.jackson.databind.node.ArrayNode result = YAML.createArrayNode();
        for (JsonNode e : userEntries) {
            names.add(e.path("name").asText());
            result.add(e);
        }
        for (JsonNode e : base.path("entries")) {
            if (!names.contains(e.path("name").asText())) {
                result.add(e);
            }
        }
        base.set("entries", result);
    }

    /** Maps merge key by key; anything else in the user's file replaces the default. */
    static void merge(ObjectNode base, ObjectNode over) {
        Iterator<Map.Entry<String, JsonNode>> fields = over.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            JsonNode existing = base.get(e.getKey());
            if (existing instanceof ObjectNode target && e.getValue() instanceof ObjectNode source) {
                merge(target, source);
            } else {
                base.set(e.getKey(), e.getValue());
            }
        }
    }

    static EngineConfig toConfig(JsonNode tree, String source, String ownNamespace) throws ConfigException {
        PolicyFile file;
        try {
            file = YAML.treeToValue(tree, PolicyFile.class);
        } catch (UnrecognizedPropertyException e) {
            throw new ConfigException(source + ": unknown field '" + e.getPropertyName() + "' at " + path(e)
                    + " (known: " + e.getKnownPropertyIds() + ")");
        } catch (JsonProcessingException e) {
            throw new ConfigException(source + ": " + message(e));
        }
        Mode mode = mode(file.mode(), source, "mode");
        PolicyFile.Exemptions ex = file.exemptions() != null ? file.exemptions()
                : new PolicyFile.Exemptions(List.of(), List.of(), List.of(), null);

        Set<String> namespaces = new LinkedHashSet<>();
        List<String> nsList = orEmpty(ex.namespaces());
        for (int i = 0; i < nsList.size(); i++) {
            namespaces.add(dnsLabel(nsList.get(i), source, "exemptions.namespaces[" + i + "]"));
        }
        if (ownNamespace != null && !ownNamespace.isBlank()) {
            namespaces.add(ownNamespace.trim());
        }
        List<ImagePattern> images = new ArrayList<>();
        List<String> imageList = orEmpty(ex.images());
        for (int i = 0; i < imageList.size(); i++) {
            try {
                images.add(ImagePattern.parse(imageList.get(i)));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(source + ": exemptions.images[" + i + "]: " + e.getMessage());
            }
        }
        Set<String> containers = new LinkedHashSet<>();
        List<String> containerList = orEmpty(ex.containers());
        for (int i = 0; i < containerList.size(); i++) {
            String rule = containerList.get(i) == null ? "" : containerList.get(i).trim();
            String field = "exemptions.containers[" + i + "]";
            int slash = rule.indexOf('/');
            if (slash >= 0) {
                dnsLabel(rule.substring(0, slash), source, field + " (namespace)");
                dnsLabel(rule.substring(slash + 1), source, field + " (container name)");
            } else {
                dnsLabel(rule, source, field);
            }
            containers.add(rule);
        }
        Set<String> annotationNamespaces = new LinkedHashSet<>();
        List<String> annList = ex.annotation() == null ? List.of() : orEmpty(ex.annotation().namespaces());
        for (int i = 0; i < annList.size(); i++) {
            String ns = annList.get(i);
            annotationNamespaces.add("*".equals(ns) ? ns : dnsLabel(ns, source, "exemptions.annotation.namespaces[" + i + "]"));
        }
        Mode ephemeral = file.ephemeralContainers() == null || file.ephemeralContainers().mode() == null
                ? Mode.ENFORCE : mode(file.ephemeralContainers().mode(), source, "ephemeralContainers.mode");

        List<WorkloadKind> kinds = new ArrayList<>();
        List<PolicyFile.Kind> kindList = orEmpty(file.workloadKinds());
        for (int i = 0; i < kindList.size(); i++) {
            kinds.add(kind(kindList.get(i), source, "workloadKinds[" + i + "]"));
        }
        PolicyConfig policy = new PolicyConfig(mode, namespaces, images, containers, annotationNamespaces, ephemeral,
                new WorkloadKinds(kinds), Rules.DEFAULT);
        return new EngineConfig(policy, mutation(file.mutation(), source), CatalogValidator.validate(file.catalog(), source));
    }

    private static MutationConfig mutation(PolicyFile.Mutation m, String source) throws ConfigException {
        if (m == null) {
            throw new ConfigException(source + ": mutation is missing");
        }
        PolicyFile.DebugScratchVolume debug = m.debugScratchVolume();
        boolean debugOn = debug != null && Boolean.TRUE.equals(debug.enabled());
        String size = debug == null || debug.sizeLimit() == null ? "64Mi" : debug.sizeLimit();
        CatalogValidator.quantity(size, source + ": mutation.debugScratchVolume.sizeLimit");
        return new MutationConfig(!Boolean.FALSE.equals(m.enabled()), !Boolean.FALSE.equals(m.setReadOnlyRootFilesystem()),
                !Boolean.FALSE.equals(m.ephemeralContainers()), debugOn, size);
    }

    private static WorkloadKind kind(PolicyFile.Kind k, String source, String field) throws ConfigException {
        if (k == null || k.kind() == null || !KIND.matcher(k.kind()).matches()) {
            throw new ConfigException(source + ": " + field + ".kind must be a Kubernetes kind such as Rollout");
        }
        String group = k.group() == null ? "" : k.group();
        if (!GROUP.matcher(group).matches()) {
            throw new ConfigException(source + ": " + field + ".group '" + group + "' is not an API group");
        }
        String path = k.podSpecPath() == null ? "spec.template.spec" : k.podSpecPath();
        List<String> specPath = Arrays.asList(path.split("\\."));
        if (specPath.size() < 2 || !specPath.get(specPath.size() - 1).equals("spec") || specPath.stream().anyMatch(String::isEmpty)) {
            throw new ConfigException(source + ": " + field + ".podSpecPath '" + path
                    + "' must be a dotted path to a pod spec, ending in .spec (e.g. spec.template.spec)");
        }
        List<String> metadataPath = new ArrayList<>(specPath.subList(0, specPath.size() - 1));
        metadataPath.add("metadata");
        return new WorkloadKind(group, k.kind(), specPath, metadataPath);
    }

    private static Mode mode(String text, String source, String field) throws ConfigException {
        if (text == null) {
            throw new ConfigException(source + ": " + field + " is required (enforce, warn or audit)");
        }
        return Mode.parse(text).orElseThrow(() ->
                new ConfigException(source + ": " + field + " '" + text + "' is not one of enforce, warn, audit"));
    }

    private static String dnsLabel(String value, String source, String field) throws ConfigException {
        if (value == null || !KubernetesResourceUtil.isValidName(value)) {
            throw new ConfigException(source + ": " + field + " '" + value + "' is not a valid name (DNS-1123 label)");
        }
        return value;
    }

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static String path(JsonProcessingException e) {
        if (e instanceof com.fasterxml.jackson.databind.JsonMappingException m) {
            StringBuilder s = new StringBuilder();
            for (com.fasterxml.jackson.databind.JsonMappingException.Reference r : m.getPath()) {
                if (r.getFieldName() != null) {
                    s.append(s.length() == 0 ? "" : ".").append(r.getFieldName());
                } else {
                    s.append('[').append(r.getIndex()).append(']');
                }
            }
            return s.length() == 0 ? "top level" : s.toString();
        }
        return "top level";
    }

    private static String message(Exception e) {
        if (e instanceof com.fasterxml.jackson.databind.JsonMappingException m) {
            return m.getOriginalMessage() + " at " + path(m);
        }
        if (e instanceof JsonProcessingException p) {
            return p.getOriginalMessage() + (p.getLocation() != null ? " (line " + p.getLocation().getLineNr() + ")" : "");
        }
        return e.toString();
    }
}

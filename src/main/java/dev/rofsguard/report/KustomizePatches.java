package dev.rofsguard.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rofsguard.manifest.Document;
import dev.rofsguard.mutation.Plan;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * {@code audit --fix=patches}: a kustomization fragment with one JSON 6902 patch (the plan's operations) per
 * workload, targeted by the object's apiVersion, kind, name and namespace as written; the sources stay untouched.
 * Each patch is a literal block ({@code patch: |}) that kustomize parses as YAML.
 */
public final class KustomizePatches {

    private static final ObjectMapper JSON = new ObjectMapper();

    private KustomizePatches() {
    }

    public static String render(List<Document> documents, Function<Document, Plan> planOf) {
        Yaml yaml = yaml(true);
        Yaml flat = yaml(false);
        List<Node> patches = new ArrayList<>();
        for (Document d : documents) {
            JsonNode o = d.object();
            String name = o.path("metadata").path("name").asText("");
            Plan plan = planOf.apply(d);
            if (name.isEmpty() || plan.isEmpty()) {
                continue;
            }
            String apiVersion = o.path("apiVersion").asText("");
            int slash = apiVersion.indexOf('/');
            Map<String, String> target = new LinkedHashMap<>();
            if (slash > 0) {
                target.put("group", apiVersion.substring(0, slash));
            }
            target.put("version", apiVersion.substring(slash + 1));
            target.put("kind", o.path("kind").asText());
            target.put("name", name);
            String ns = o.path("metadata").path("namespace").asText("");
            if (!ns.isEmpty()) {
                target.put("namespace", ns);
            }
            // The list starts at column 0 ("- op: add"): a literal block whose first line is indented would need an
            // indentation indicator (|2), which kustomize's YAML reader mis-reads.
            String ops = flat.dump(JSON.convertValue(plan.jsonPatch(), Object.class));
            List<NodeTuple> entry = new ArrayList<>();
            entry.add(new NodeTuple(yaml.represent("target"), yaml.represent(target)));
            entry.add(new NodeTuple(yaml.represent("patch"),
                    new ScalarNode(Tag.STR, ops, null, null, DumperOptions.ScalarStyle.LITERAL)));
            patches.add(new MappingNode(Tag.MAP, entry, DumperOptions.FlowStyle.BLOCK));
        }
        MappingNode root = new MappingNode(Tag.MAP, List.of(new NodeTuple(yaml.represent("patches"),
                new SequenceNode(Tag.SEQ, patches, DumperOptions.FlowStyle.BLOCK))), DumperOptions.FlowStyle.BLOCK);
        java.io.StringWriter out = new java.io.StringWriter();
        yaml.serialize(root, out);
        return "# rofs-guard audit --fix=patches: add these to kustomization.yaml (patches:), beside resources that list the "
                + "audited files.\n# Generated from the catalog of known images: the volumes and readOnlyRootFilesystem the "
                + "mutating webhook would add.\n" + out;
    }

    private static Yaml yaml(boolean indentedLists) {
        DumperOptions dump = new DumperOptions();
        dump.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        dump.setIndent(2);
        if (indentedLists) {
            dump.setIndicatorIndent(2);
            dump.setIndentWithIndicator(true);
        }
        dump.setWidth(Integer.MAX_VALUE);
        dump.setSplitLines(false);
        return new Yaml(dump);
    }
}

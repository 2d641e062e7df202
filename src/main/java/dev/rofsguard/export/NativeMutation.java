package dev.rofsguard.export;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rofsguard.engine.EngineConfig;
import dev.rofsguard.mutation.MutationConfig;
import dev.rofsguard.mutation.PatchPlanner;
import dev.rofsguard.podspec.Annotations;
import dev.rofsguard.policy.PolicyConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The mutating webhook compiled to MutatingAdmissionPolicies (admissionregistration.k8s.io/v1, Kubernetes 1.36+):
 * at Pod CREATE, the catalog's emptyDir volumes and mounts, the flag, the seed init containers and the
 * {@code rofs-guard.dev/mutated} record, as {@link PatchPlanner#create} plans them; at the
 * {@code pods/ephemeralcontainers} UPDATE of {@code kubectl debug}, the flag (and the debug scratch mount) on the new
 * ephemeral containers, as {@link PatchPlanner#ephemeral} does. Routed as the mutating webhook is: every namespace
 * not labelled {@code off} (mode or mutation) and not exempt.
 */
final class NativeMutation {

    private static final JsonNodeFactory N = JsonNodeFactory.instance;
    static final String POLICY = "mutate.rofs-guard.dev";
    static final String EPHEMERAL_POLICY = "mutate-ephemeral.rofs-guard.dev";

    private NativeMutation() {
    }

    static List<ObjectNode> compile(EngineConfig config) {
        MutationConfig mutation = config.mutation();
        if (!mutation.enabled()) {
            return List.of();
        }
        List<ObjectNode> out = new ArrayList<>();
        out.add(create(config));
        out.add(binding(POLICY, config.policy()));
        if (mutation.ephemeralContainers()) {
            out.add(ephemeral(config));
            out.add(binding(EPHEMERAL_POLICY, config.policy()));
        }
        return out;
    }

    private static ObjectNode policy(String name, String resource, String operation, PolicyConfig policy) {
        ObjectNode p = N.objectNode().put("apiVersion", "admissionregistration.k8s.io/v1").put("kind", "MutatingAdmissionPolicy");
        p.putObject("metadata").put("name", name);
        ObjectNode spec = p.putObject("spec");
        spec.put("failurePolicy", "Fail");
        spec.put("reinvocationPolicy", "Never");
        ObjectNode rule = spec.putObject("matchConstraints").putArray("resourceRules").addObject();
        rule.putArray("apiGroups").add("");
        rule.putArray("apiVersions").add("v1");
        rule.putArray("operations").add(operation);
        rule.putArray("resources").add(resource);
        ArrayNode conditions = spec.putArray("matchConditions");
        // As on the mutating webhook: the API's copy of a static pod the node already runs is not patched.
        conditions.addObject().put("name", "not-a-mirror-pod-from-its-node").put("expression",
                "!(request.operation == 'CREATE' && has(object.metadata.annotations) && 'kubernetes.io/config.mirror' in "
                        + "object.metadata.annotations && has(object.spec.nodeName) && request.userInfo.username == 'system:node:' + "
                        + "object.spec.nodeName)");
        conditions.addObject().put("name", "not-windows").put("expression", "!(" + NativePolicies.windows("object.spec") + ")");
        conditions.addObject().put("name", "not-exempt-by-annotation").put("expression",
                "!(" + NativePolicies.annotationExempt(policy) + ")");
        // A pod spec the API server will refuse (a container name twice) is not patched, as by the webhook.
        conditions.addObject().put("name", "container-names-unique").put("expression",
                "size(" + allNames() + ") == size(" + allNames() + ".distinct())");
        return p;
    }

    /** The containers and init containers of a pod spec, in that order (the planner's). */
    static String pool(String spec) {
        return "(has(" + spec + ".containers) ? " + spec + ".containers : []) + (has(" + spec + ".initContainers) ? " + spec
                + ".initContainers : [])";
    }

    /** Not exempt, and not one of the seed init containers the plan adds (a container so named is planned). */
    static String eligible(PolicyConfig policy, String containerNames) {
        return "!(" + NativePolicies.exempt(policy, "c") + ") && !(c.name.startsWith('" + PatchPlanner.SEED_PREFIX + "') && !(c.name in "
                + containerNames + "))";
    }

    private static String allNames() {
        return "((has(object.spec.containers) ? object.spec.containers : []) + (has(object.spec.initContainers) ? "
                + "object.spec.initContainers : []) + (has(object.spec.ephemeralContainers) ? object.spec.ephemeralContainers : []))"
                + ".map(c, c.name)";
    }

    /** Pod CREATE: the catalog's plan for every eligible container and init container. */
    private static ObjectNode create(EngineConfig config) {
        PolicyConfig policy = config.policy();
        MutationConfig mutation = config.mutation();
        NativeCatalog catalog = new NativeCatalog(config.catalog(), mutation);
        ObjectNode p = policy(POLICY, "pods", "CREATE", policy);
        ObjectNode spec = (ObjectNode) p.get("spec");
        ArrayNode variables = spec.putArray("variables");
        variables.addObject().put("name", "vols").put("expression", "has(object.spec.volumes) ? object.spec.volumes : []");
        variables.addObject().put("name", "volumeNames").put("expression", "variables.vols.map(v, v.name)");
        variables.addObject().put("name", "containerNames").put("expression", allNames());
        variables.addObject().put("name", "csNames").put("expression",
                "has(object.spec.containers) ? object.spec.containers.map(c, c.name) : []");
        variables.addObject().put("name", "pool").put("expression", pool("object.spec"));
        variables.addObject().put("name", "poolNames").put("expression", "variables.pool.map(c, c.name)");
        for (NativeCatalog.Variable v : catalog.factVariables("variables.vols")) {
            variables.addObject().put("name", v.name()).put("expression", v.expression());
        }
        String field = "(c.name in variables.csNames ? 'containers' : 'initContainers')";
        String index = "(variables.poolNames.indexOf(c.name) - (c.name in variables.csNames ? 0 : size(variables.csNames)))";
        for (NativeCatalog.Variable v : catalog.planVariables("plan", true, "variables.volumeNames", "variables.containerNames", field, index)) {
            variables.addObject().put("name", v.name()).put("expression", v.expression());
        }
        variables.addObject().put("name", "plans").put("expression", "variables.pool.filter(c, " + eligible(policy, "variables.csNames")
                + ").map(c, variables.plan[variables.poolNames.indexOf(c.name)])");
        // What Java would plan but CEL cannot do exactly is left alone here (a hybrid install sends it to the webhook).
        variables.addObject().put("name", "changed").put("expression",
                "variables.plans.filter(p, p.entry != '' && !p.blocked && p.native && (size(p.mounts) > 0 || p.flag))");
        variables.addObject().put("name", "newVolumes").put("expression",
                "variables.changed.map(p, p.mounts.map(m, {'name': dyn(m.name), 'emptyDir': dyn(m.medium == '' ? "
                        + "{'sizeLimit': m.sizeLimit} : {'medium': m.medium, 'sizeLimit': m.sizeLimit})})).flatten()"
                        + (mutation.debugScratchVolume()
                        ? " + (variables.volumeNames.exists(n, n == '" + MutationConfig.DEBUG_VOLUME + "') ? [] : [{'name': dyn('"
                        + MutationConfig.DEBUG_VOLUME + "'), 'emptyDir': dyn({'sizeLimit': " + NativePolicies.quote(mutation.debugScratchSizeLimit())
                        + "})}])" : ""));
        variables.addObject().put("name", "seeded").put("expression",
                "variables.changed.filter(p, p.mounts.exists(m, m.seeded != ''))");

        String base = "'/spec/' + p.field + '/' + string(p.index)";
        String containerOps = "variables.changed.map(p, "
                + "(size(p.mounts) == 0 ? [] : has(p.c.volumeMounts) ? p.mounts.map(m, JSONPatch{op: 'add', path: " + base
                + " + '/volumeMounts/-', value: {'name': m.name, 'mountPath': m.path}}) : [JSONPatch{op: 'add', path: " + base
                + " + '/volumeMounts', value: p.mounts.map(m, {'name': m.name, 'mountPath': m.path})}]) + "
                + "(!p.flag ? [] : !has(p.c.securityContext) ? [JSONPatch{op: 'add', path: " + base
                + " + '/securityContext', value: {'readOnlyRootFilesystem': true}}] : [JSONPatch{op: 'add', path: " + base
                + " + '/securityContext/readOnlyRootFilesystem', value: true}])).flatten()";
        String volumeOps = "(size(variables.newVolumes) == 0 ? [] : has(object.spec.volumes) ? variables.newVolumes.map(v, "
                + "JSONPatch{op: 'add', path: '/spec/volumes/-', value: v}) : [JSONPatch{op: 'add', path: '/spec/volumes', "
                + "value: variables.newVolumes}])";
        String seeds = "variables.seeded.map(p, " + seedContainer("p") + ")";
        // Seeds run before the user's init containers, in container order (as in Java): the k-th inserted at k.
        String seedOps = "(size(variables.seeded) == 0 ? [] : has(object.spec.initContainers) ? " + seeds
                + ".map(s, JSONPatch{op: 'add', path: '/spec/initContainers/' + string(" + seeds + ".indexOf(s)), value: s}) : "
                + "[JSONPatch{op: 'add', path: '/spec/initContainers', value: " + seeds + "}])"
                // The app's resources: rebuilt field by field, since the API server cannot turn its typed struct into JSON.
                + " + variables.seeded.filter(p, has(p.c.resources)).map(p, JSONPatch{op: 'add', path: '/spec/initContainers/' + "
                + "string(variables.seeded.indexOf(p)) + '/resources', value: " + resources("p.c.resources") + "})";
        String record = "'{' + variables.changed.map(p, '\"' + p.c.name + '\":{\"entry\":\"' + p.entry + '\",\"emptyDir\":[' + "
                + "p.mounts.map(m, '\"' + m.path.replace('\\\\', '\\\\\\\\').replace('\"', '\\\\\"') + '\"').join(',') + "
                + "'],\"readOnlyRootFilesystem\":' + (p.flag ? 'true' : 'false') + '}').join(',') + '}'";
        String recordOp = "(size(variables.changed) == 0 ? [] : !has(object.metadata.annotations) ? [JSONPatch{op: 'add', path: "
                + "'/metadata/annotations', value: {'" + Annotations.MUTATED + "': " + record + "}}] : [JSONPatch{op: 'add', path: "
                + "'/metadata/annotations/" + Annotations.MUTATED.replace("~", "~0").replace("/", "~1") + "', value: " + record + "}])";
        ObjectNode m = spec.putArray("mutations").addObject();
        m.put("patchType", "JSONPatch");
        m.putObject("jsonPatch").put("expression", containerOps + " + " + volumeOps + " + " + seedOps + " + " + recordOp);
        return p;
    }

    /**
     * The init container that copies what the image ships at each seeded path into its emptyDir, as
     * {@code PatchPlanner.seedContainer} builds it (same image, user, pull policy and resources; hardened).
     */
    private static String seedContainer(String p) {
        String seeds = p + ".mounts.filter(m, m.seeded != '')";
        String script = "'set -e' + " + seeds + ".map(m, \"; cp -R '\" + m.path + \"/.' '" + "/rofs-seed/\" + string(" + seeds
                + ".indexOf(m)) + \"/'\").join('')";
        String sc = p + ".c.securityContext";
        return "{'name': dyn(" + p + ".seed), 'image': dyn(" + p + ".c.image), "
                + "?'imagePullPolicy': has(" + p + ".c.imagePullPolicy) ? optional.of(dyn(" + p + ".c.imagePullPolicy)) : optional.none(), "
                + "'command': dyn(['sh', '-c', " + script + "]), "
                + "'volumeMounts': dyn(" + seeds + ".map(m, {'name': dyn(m.name), 'mountPath': dyn('/rofs-seed/' + string(" + seeds + ".indexOf(m)))})), "
                + "'securityContext': dyn({"
                + "?'runAsUser': has(" + p + ".c.securityContext) && has(" + sc + ".runAsUser) ? optional.of(dyn(" + sc + ".runAsUser)) : optional.none(), "
                + "?'runAsGroup': has(" + p + ".c.securityContext) && has(" + sc + ".runAsGroup) ? optional.of(dyn(" + sc + ".runAsGroup)) : optional.none(), "
                + "?'runAsNonRoot': has(" + p + ".c.securityContext) && has(" + sc + ".runAsNonRoot) ? optional.of(dyn(" + sc + ".runAsNonRoot)) : optional.none(), "
                + "'readOnlyRootFilesystem': dyn(true), 'allowPrivilegeEscalation': dyn(false), 'capabilities': dyn({'drop': ['ALL']})})}";
    }

    private static String resources(String r) {
        return "{?'limits': has(" + r + ".limits) ? optional.of(dyn(" + r + ".limits.transformMap(k, v, string(v)))) : optional.none(), "
                + "?'requests': has(" + r + ".requests) ? optional.of(dyn(" + r + ".requests.transformMap(k, v, string(v)))) : optional.none(), "
                + "?'claims': has(" + r + ".claims) ? optional.of(dyn(" + r + ".claims.map(x, {'name': dyn(x.name), "
                + "?'request': has(x.request) ? optional.of(dyn(x.request)) : optional.none()}))) : optional.none()}";
    }

    /** pods/ephemeralcontainers UPDATE: the new ephemeral containers get the flag, and the debug scratch mount. */
    private static ObjectNode ephemeral(EngineConfig config) {
        PolicyConfig policy = config.policy();
        ObjectNode p = policy(EPHEMERAL_POLICY, "pods/ephemeralcontainers", "UPDATE", policy);
        ObjectNode spec = (ObjectNode) p.get("spec");
        ArrayNode variables = spec.putArray("variables");
        variables.addObject().put("name", "list").put("expression",
                "has(object.spec.ephemeralContainers) ? object.spec.ephemeralContainers : []");
        variables.addObject().put("name", "old").put("expression",
                "oldObject != null && has(oldObject.spec.ephemeralContainers) ? oldObject.spec.ephemeralContainers.map(c, c.name) : []");
        variables.addObject().put("name", "debugVolume").put("expression",
                "has(object.spec.volumes) && object.spec.volumes.exists(v, v.name == '" + MutationConfig.DEBUG_VOLUME + "')");
        variables.addObject().put("name", "added").put("expression",
                "variables.list.filter(c, !(c.name in variables.old) && !(" + NativePolicies.exempt(policy, "c") + "))");
        String base = "'/spec/ephemeralContainers/' + string(variables.list.map(x, x.name).indexOf(c.name))";
        String flag = "(!has(c.securityContext) ? [JSONPatch{op: 'add', path: " + base + " + '/securityContext', value: "
                + "{'readOnlyRootFilesystem': true}}] : !has(c.securityContext.readOnlyRootFilesystem) ? [JSONPatch{op: 'add', path: "
                + base + " + '/securityContext/readOnlyRootFilesystem', value: true}] : [])";
        String mount = "(!variables.debugVolume || (has(c.volumeMounts) && c.volumeMounts.exists(m, m.mountPath == '"
                + MutationConfig.DEBUG_MOUNT_PATH + "')) ? [] : has(c.volumeMounts) ? [JSONPatch{op: 'add', path: " + base
                + " + '/volumeMounts/-', value: {'name': '" + MutationConfig.DEBUG_VOLUME + "', 'mountPath': '" + MutationConfig.DEBUG_MOUNT_PATH
                + "'}}] : [JSONPatch{op: 'add', path: " + base + " + '/volumeMounts', value: [{'name': '" + MutationConfig.DEBUG_VOLUME
                + "', 'mountPath': '" + MutationConfig.DEBUG_MOUNT_PATH + "'}]}])";
        ObjectNode m = spec.putArray("mutations").addObject();
        m.put("patchType", "JSONPatch");
        m.putObject("jsonPatch").put("expression", "variables.added.map(c, " + flag + " + " + mount + ").flatten()");
        return p;
    }

    private static ObjectNode binding(String policyName, PolicyConfig policy) {
        ObjectNode b = N.objectNode().put("apiVersion", "admissionregistration.k8s.io/v1").put("kind", "MutatingAdmissionPolicyBinding");
        b.putObject("metadata").put("name", policyName);
        ObjectNode spec = b.putObject("spec");
        spec.put("policyName", policyName);
        ArrayNode exprs = spec.putObject("matchResources").putObject("namespaceSelector").putArray("matchExpressions");
        exprs.addObject().put("key", "rofs-guard.dev/mutation").put("operator", "NotIn").putArray("values").add("off");
        exprs.addObject().put("key", NativePolicies.MODE_LABEL).put("operator", "NotIn").putArray("values").add("off");
        if (!policy.exemptNamespaces().isEmpty()) {
            ArrayNode values = exprs.addObject().put("key", "kubernetes.io/metadata.name").put("operator", "NotIn").putArray("values");
            policy.exemptNamespaces().stream().sorted().forEach(values::add);
        }
        return b;
    }
}

package dev.rofsguard.compose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rofsguard.manifest.Document;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * One service of a Compose file, read as the pod spec it amounts to, so that the one judge and the one plan serve
 * Compose too: {@code read_only} is the container's readOnlyRootFilesystem, {@code tmpfs} entries are emptyDirs,
 * named volumes are claims, bind mounts are host paths (read-only with {@code :ro}), {@code environment},
 * {@code entrypoint} and {@code command} move paths as env and args do.
 *
 * @param file the Compose document
 * @param name the service name
 * @param line the service's line in the file
 * @param pod  the pod the service amounts to (kind Pod, one container named after the service)
 */
public record ComposeService(Document file, String name, int line, JsonNode pod) {

    private static final JsonNodeFactory N = JsonNodeFactory.instance;

    /** A Compose document: a top-level {@code services} mapping and no Kubernetes {@code kind}. */
    public static boolean isCompose(JsonNode document) {
        return document.path("services").isObject() && !document.has("kind") && !document.has("apiVersion");
    }

    public static List<ComposeService> of(Document d) {
        List<ComposeService> services = new ArrayList<>();
        // Read as docker compose runs it: variables interpolated (the environment, .env beside the file, defaults).
        java.nio.file.Path file = d.source() == null || d.source().equals("-") ? null : java.nio.file.Path.of(d.source()).toAbsolutePath();
        Interpolation variables = Interpolation.forFileIn(file == null ? null : file.getParent());
        for (Iterator<Map.Entry<String, JsonNode>> it = d.object().path("services").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int line = d.lineOf("/services/" + e.getKey().replace("~", "~0").replace("/", "~1"));
            services.add(new ComposeService(d, e.getKey(), line, pod(e.getKey(), variables.apply(e.getValue()))));
        }
        return services;
    }

    /** The lines of the pseudo pod: its container is the service's line. */
    public Document asDocument() {
        return new Document(file.source(), line, pod, Map.of("/spec/containers/0", line));
    }

    static ObjectNode pod(String name, JsonNode service) {
        ObjectNode pod = N.objectNode().put("apiVersion", "v1").put("kind", "Pod");
        pod.putObject("metadata").put("name", name);
        ObjectNode spec = pod.putObject("spec");
        ObjectNode c = spec.putArray("containers").addObject().put("name", containerName(name));
        // A service built locally has no image to look up: a name the catalog does not know.
        c.put("image", service.path("image").isTextual() ? service.path("image").textValue() : "local/" + containerName(name));
        JsonNode readOnly = service.get("read_only");
        if (readOnly != null && !readOnly.isNull()) {
            c.putObject("securityContext").set("readOnlyRootFilesystem",
                    readOnly.isTextual() ? N.booleanNode(Boolean.parseBoolean(readOnly.textValue())) : readOnly);
        }
        ArrayNode args = N.arrayNode();
        words(service.get("entrypoint"), args);
        words(service.get("command"), args);
        if (!args.isEmpty()) {
            c.set("args", args);
        }
        ArrayNode env = environment(service.get("environment"));
        if (!env.isEmpty()) {
            c.set("env", env);
        }
        ArrayNode volumes = N.arrayNode();
        ArrayNode mounts = N.arrayNode();
        int i = 0;
        for (String tmpfs : tmpfs(service)) {
            String path = tmpfs.split(":", 2)[0];
            String volume = "tmpfs-" + i++;
            volumes.addObject().put("name", volume).putObject("emptyDir").put("medium", "Memory");
            mounts.addObject().put("name", volume).put("mountPath", path);
        }
        for (JsonNode v : service.path("volumes")) {
            String source;
            String target;
            boolean ro;
            String type;
            if (v.isTextual()) {
                String[] parts = v.textValue().split(":");
                if (parts.length == 1) {
                    source = null;
                    target = parts[0];
                    ro = false;
                } else {
                    source = parts[0];
                    target = parts[1];
                    ro = parts.length > 2 && List.of(parts[2].split(",")).contains("ro");
                }
                type = source == null ? "volume" : source.startsWith("/") || source.startsWith(".") || source.startsWith("~") ? "bind" : "volume";
            } else if (v.isObject()) {
                type = v.path("type").asText("volume");
                source = v.path("source").asText(null);
                target = v.path("target").asText("");
                ro = v.path("read_only").asBoolean(false);
            } else {
                continue;
            }
            if (target.isEmpty()) {
                continue;
            }
            String volume = "volume-" + i++;
            ObjectNode vol = volumes.addObject().put("name", volume);
            switch (type) {
                case "tmpfs" -> vol.putObject("emptyDir").put("medium", "Memory");
                case "bind" -> vol.putObject("hostPath").put("path", source == null ? target : source);
                default -> vol.putObject("persistentVolumeClaim").put("claimName", source == null ? volume : source);
            }
            ObjectNode m = mounts.addObject().put("name", volume).put("mountPath", target);
            if (ro) {
                m.put("readOnly", true);
            }
        }
        if (!mounts.isEmpty()) {
            c.set("volumeMounts", mounts);
            spec.set("volumes", volumes);
        }
        return pod;
    }

    /** A container name from a service name (services allow characters pod container names do not). */
    static String containerName(String service) {
        String s = service.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9-]+", "-").replaceAll("^-+|-+$", "");
        return s.isEmpty() ? "service" : s.length() > 63 ? s.substring(0, 63) : s;
    }

    /** The service's tmpfs entries ({@code tmpfs: /run} or a list, with {@code :options}). */
    static List<String> tmpfs(JsonNode service) {
        List<String> list = new ArrayList<>();
        JsonNode t = service.get("tmpfs");
        if (t != null && t.isTextual()) {
            list.add(t.textValue());
        } else if (t != null && t.isArray()) {
            t.forEach(x -> list.add(x.asText()));
        }
        return list;
    }

    private static void words(JsonNode n, ArrayNode into) {
        if (n == null || n.isNull()) {
            return;
        }
        if (n.isArray()) {
            n.forEach(w -> into.add(w.asText()));
        } else if (n.isTextual()) {
            for (String w : n.textValue().trim().split("\\s+")) {
                if (!w.isEmpty()) {
                    into.add(w);
                }
            }
        }
    }

    private static ArrayNode environment(JsonNode env) {
        ArrayNode out = N.arrayNode();
        if (env == null || env.isNull()) {
            return out;
        }
        if (env.isObject()) {
            env.fields().forEachRemaining(e -> {
                ObjectNode x = out.addObject().put("name", e.getKey());
                if (!e.getValue().isNull()) {
                    x.put("value", e.getValue().asText());
                }
            });
        } else if (env.isArray()) {
            for (JsonNode item : env) {
                String[] kv = item.asText().split("=", 2);
                ObjectNode x = out.addObject().put("name", kv[0]);
                if (kv.length == 2) {
                    x.put("value", kv[1]);
                }
            }
        }
        return out;
    }
}

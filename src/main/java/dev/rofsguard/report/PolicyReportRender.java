package dev.rofsguard.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rofsguard.policy.ContainerRule;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * {@code wgpolicyk8s.io/v1alpha2} PolicyReports, as Kyverno writes them and Policy Reporter reads them: one
 * PolicyReport per namespace (a ClusterPolicyReport for objects without one), one result per object and rule,
 * {@code source: rofs-guard}. Fields are limited to the CRD's schema (an API server prunes the rest).
 */
public final class PolicyReportRender {

    public static final String API_VERSION = "wgpolicyk8s.io/v1alpha2";
    public static final String SOURCE = "rofs-guard";

    private PolicyReportRender() {
    }

    public static List<ObjectNode> render(AuditReport report, Instant now) {
        Map<String, List<AuditedObject>> byNamespace = new TreeMap<>();
        for (AuditedObject o : report.objects()) {
            byNamespace.computeIfAbsent(o.namespace(), k -> new ArrayList<>()).add(o);
        }
        List<ObjectNode> reports = new ArrayList<>();
        byNamespace.forEach((namespace, objects) -> reports.add(policyReport(report, namespace, objects, now)));
        return reports;
    }

    private static ObjectNode policyReport(AuditReport report, String namespace, List<AuditedObject> objects, Instant now) {
        JsonNodeFactory n = JsonNodeFactory.instance;
        ObjectNode r = n.objectNode();
        r.put("apiVersion", API_VERSION).put("kind", namespace.isEmpty() ? "ClusterPolicyReport" : "PolicyReport");
        ObjectNode metadata = r.putObject("metadata");
        metadata.put("name", "rofs-guard-audit");
        if (!namespace.isEmpty()) {
            metadata.put("namespace", namespace);
        }
        metadata.putObject("labels").put("app.kubernetes.io/managed-by", "rofs-guard");
        int[] counts = new int[5]; // pass, fail, warn, error, skip
        ArrayNode results = r.putArray("results");
        for (AuditedObject o : objects) {
            for (ContainerRule rule : report.rules()) {
                List<Finding> findings = o.findings().stream().filter(f -> f.rule().id().equals(rule.id())).toList();
                String result = switch (o.outcome()) {
                    case FAIL -> findings.isEmpty() ? "pass" : "fail";
                    case ERROR -> "error";
                    case SKIP -> "skip";
                    case PASS, PASSES_AFTER_ADMISSION -> "pass";
                };
                counts[switch (result) {
                    case "pass" -> 0;
                    case "fail" -> 1;
                    case "error" -> 3;
                    default -> 4;
                }]++;
                ObjectNode res = results.addObject();
                res.put("source", SOURCE).put("policy", "rofs-guard").put("rule", rule.id()).put("category", "Pod Security")
                        .put("severity", "medium").put("result", result).put("scored", true)
                        .put("message", message(o, findings));
                res.putObject("timestamp").put("seconds", now.getEpochSecond()).put("nanos", 0);
                ObjectNode ref = res.putArray("resources").addObject();
                if (!o.apiVersion().isEmpty()) {
                    ref.put("apiVersion", o.apiVersion());
                }
                ref.put("kind", o.kind()).put("name", o.name());
                if (!o.namespace().isEmpty()) {
                    ref.put("namespace", o.namespace());
                }
                String uid = o.document().object().path("metadata").path("uid").asText("");
                if (!uid.isEmpty()) {
                    ref.put("uid", uid);
                }
                // properties are strings only (map[string]string): what Policy Reporter shows beside the result
                ObjectNode properties = res.putObject("properties");
                properties.put("outcome", o.outcome().label());
                if (!findings.isEmpty()) {
                    properties.put("containers", findings.stream().map(Finding::container).distinct().collect(Collectors.joining(",")));
                }
                if (o.document().line() > 0) {
                    properties.put("source", o.document().source() + ":" + o.document().line());
                }
            }
        }
        r.putObject("summary").put("pass", counts[0]).put("fail", counts[1]).put("warn", counts[2]).put("error", counts[3])
                .put("skip", counts[4]);
        return r;
    }

    private static String message(AuditedObject o, List<Finding> findings) {
        if (!findings.isEmpty()) {
            return findings.stream().map(f -> f.containerKind() + " \"" + f.container() + "\" " + f.problem())
                    .collect(Collectors.joining("; ")) + ": " + findings.get(0).rule().shortFix();
        }
        if (o.outcome() == ReportOutcome.PASSES_AFTER_ADMISSION) {
            return "passes after admission: " + String.join("; ", o.verdict().notes());
        }
        return o.verdict().reason();
    }
}

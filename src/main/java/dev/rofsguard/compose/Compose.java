package dev.rofsguard.compose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rofsguard.engine.Judge;
import dev.rofsguard.engine.Judgement;
import dev.rofsguard.engine.Origin;
import dev.rofsguard.manifest.Document;
import dev.rofsguard.mutation.Plan;
import dev.rofsguard.policy.Subject;
import dev.rofsguard.policy.Verdict;
import dev.rofsguard.policy.Violation;
import dev.rofsguard.report.AuditedObject;
import dev.rofsguard.report.Finding;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.List;

/**
 * Compose files through the one judge and the one plan: each service is judged as the pod it amounts to (no
 * mutating webhook runs for Compose, so nothing is counted on), and {@code --fix} renders the plan as
 * {@code read_only: true} plus {@code tmpfs:} entries ({@code rw,noexec,nosuid,size=N}, as {@code docker run --tmpfs}
 * takes them). A data path is never put on a tmpfs: such a service is left as it is and said.
 */
public final class Compose {

    /** The namespace Compose services are judged in (exemptions by namespace do not apply to them). */
    public static final String NAMESPACE = "compose";
    private static final String KIND = "ComposeService";

    private Compose() {
    }

    public static List<AuditedObject> audit(Judge judge, Document d) {
        List<AuditedObject> objects = new ArrayList<>();
        for (ComposeService s : ComposeService.of(d)) {
            Judgement j = judge(judge, s);
            Document doc = s.asDocument();
            List<Finding> findings = new ArrayList<>();
            for (Violation v : j.verdict().violations()) {
                findings.add(Finding.of(doc, KIND, "", s.name(), v, j.plan()));
            }
            objects.add(new AuditedObject(doc, KIND, "", s.name(), j.verdict(), j.plan(), false, findings));
        }
        return objects;
    }

    static Judgement judge(Judge judge, ComposeService s) {
        Judgement j = judge.judge(Subject.create("", "Pod", NAMESPACE, s.pod()), Origin.manifest(false));
        Verdict v = j.verdict();
        if (v.outcome() != dev.rofsguard.policy.Outcome.ERROR || !v.reason().startsWith(POD_SHAPE)) {
            return j;
        }
        // The shape check speaks of the pod the service amounts to: say it in Compose's words.
        String problem = v.reason().substring(POD_SHAPE.length());
        java.util.regex.Matcher twice = MOUNTED_TWICE.matcher(problem);
        String said = twice.matches() ? twice.group(1) + " is the target of two volumes or tmpfs entries"
                : problem.replace("spec.containers[0].", "");
        return new Judgement(new Verdict(v.outcome(), "service " + s.name() + " is not valid: " + said, v.object(), v.violations(),
                v.exemptions(), v.notes()), j.plan(), j.applied());
    }

    private static final String POD_SHAPE = "Pod is not a valid pod spec: ";
    private static final java.util.regex.Pattern MOUNTED_TWICE =
            java.util.regex.Pattern.compile("spec\\.containers\\[0]\\.volumeMounts\\[\\d+]\\.mountPath (\".*\") is mounted twice");

    /** The Compose document with each service's plan applied; notes on what could not be done go to {@code said}. */
    public static JsonNode fix(Judge judge, Document d, List<String> said) {
        ObjectNode fixed = d.object().deepCopy();
        for (ComposeService s : ComposeService.of(d)) {
            Judgement j = judge(judge, s);
            String container = ComposeService.containerName(s.name());
            String blocked = j.plan().blocked().get(container);
            if (blocked != null) {
                said.add(d.source() + ":" + s.line() + ": service " + s.name() + " " + blocked + "; left as it is");
                continue;
            }
            Plan.ContainerChange change = j.plan().changes().get(container);
            if (change == null) {
                continue;
            }
            if (change.seed() != null) {
                said.add(d.source() + ":" + s.line() + ": service " + s.name() + " must write where its image ships files ("
                        + String.join(", ", change.mounted()) + "); Compose has no init step to copy them: left as it is");
                continue;
            }
            ObjectNode service = (ObjectNode) fixed.path("services").path(s.name());
            if (change.readOnlyRootFilesystem()) {
                service.put("read_only", true);
            }
            if (!change.mounts().isEmpty()) {
                ArrayNode tmpfs = service.putArray("tmpfs");
                ComposeService.tmpfs(d.object().path("services").path(s.name())).forEach(tmpfs::add);
                change.mounts().forEach(m -> tmpfs.add(tmpfsEntry(m)));
            }
        }
        return fixed;
    }

    /** {@code PATH:rw,noexec,nosuid,size=BYTES}: scratch never needs exec, and the size bounds a runaway writer. */
    public static String tmpfsEntry(Plan.Mount m) {
        StringBuilder s = new StringBuilder(m.path()).append(":rw,noexec,nosuid");
        if (m.sizeLimit() != null) {
            s.append(",size=").append(Quantity.getAmountInBytes(Quantity.parse(m.sizeLimit())).toBigInteger());
        }
        return s.toString();
    }
}

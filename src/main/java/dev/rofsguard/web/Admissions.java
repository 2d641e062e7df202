package dev.rofsguard.web;

import dev.rofsguard.admission.AdmissionAnswer;
import dev.rofsguard.admission.AdmissionRequest;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import dev.rofsguard.admission.MutatingAdmission;
import dev.rofsguard.admission.ValidatingAdmission;
import dev.rofsguard.policy.Decision;
import dev.rofsguard.policy.Mode;
import dev.rofsguard.policy.Outcome;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/** Wires the engine to the doors and logs what the cluster operator must see: one line per denial or finding. */
@ApplicationScoped
public class Admissions {

    private static final Logger LOG = Logger.getLogger("dev.rofsguard.decisions");

    private final ValidatingAdmission validating;
    private final MutatingAdmission mutating;

    private final MeterRegistry registry;
    private final Map<String, Timer> latency = new HashMap<>();

    @Inject
    public Admissions(PolicyHolder policy, MeterRegistry registry) {
        this.validating = new ValidatingAdmission(policy::current);
        this.mutating = new MutatingAdmission(policy::current);
        this.registry = registry;
        for (String endpoint : new String[] {"validate", "mutate"}) {
            latency.put(endpoint, Timer.builder("rofs_guard_admission_duration").tag("endpoint", endpoint)
                    .description("Time to answer an admission request, from its body to the answer")
                    .publishPercentileHistogram().register(registry));
        }
    }

    /** Times and counts one admission; the door passes what it did. */
    public Response answer(String endpoint, long startNanos, AdmissionAnswer answer) {
        AdmissionRequest r = null;
        String decision;
        String mode = "";
        if (answer instanceof AdmissionAnswer.Validated v) {
            r = v.request();
            Decision d = v.decision();
            mode = d.mode().label();
            decision = d.allowed() ? (d.verdict().outcome() == Outcome.FAIL ? "allow-with-findings" : "allow") : "deny";
        } else if (answer instanceof AdmissionAnswer.Mutated m) {
            r = m.request();
            decision = m.plan().isEmpty() ? "no-patch" : "patch";
        } else {
            decision = "bad-request";
        }
        Response response = answer(answer);
        if (r != null && Warmup.UID.equals(r.uid())) {
            return response; // the warm-up's own requests are not admissions: keep them out of the metrics
        }
        Tags tags = Tags.of("endpoint", endpoint, "operation", r == null ? "" : r.operation().name(),
                "kind", r == null ? "" : r.kind(), "mode", mode, "decision", decision);
        registry.counter("rofs_guard_admission_requests", tags).increment();
        latency.get(endpoint).record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
        if (answer instanceof AdmissionAnswer.Validated v) {
            v.decision().verdict().violations().forEach(x -> registry.counter("rofs_guard_findings", "rule", x.rule().id(),
                    "mode", v.decision().mode().label()).increment());
        }
        if (answer instanceof AdmissionAnswer.Mutated m) {
            m.plan().changes().values().forEach(c -> registry.counter("rofs_guard_patches_applied", "entry", c.entry()).increment());
        }
        return response;
    }

    public ValidatingAdmission validating() {
        return validating;
    }

    public MutatingAdmission mutating() {
        return mutating;
    }

    private Response answer(AdmissionAnswer answer) {
        if (answer instanceof AdmissionAnswer.Validated v && v.decision().verdict().outcome() == Outcome.FAIL) {
            Decision d = v.decision();
            String findings = d.verdict().violations().stream().map(x -> x.container() + "/" + x.rule().id())
                    .collect(Collectors.joining(","));
            LOG.infof("decision=%s mode=%s uid=%s operation=%s object=\"%s\" findings=%s dryRun=%s",
                    d.allowed() ? (d.mode() == Mode.AUDIT ? "audit" : "warn") : "deny", d.mode().label(),
                    v.request().uid(), v.request().operation(), d.verdict().object().describe(), findings,
                    v.request().dryRun());
        }
        if (answer instanceof AdmissionAnswer.Mutated m && !m.plan().changes().isEmpty()) {
            LOG.infof("decision=patch uid=%s operation=%s namespace=%s object=\"%s\" containers=%s dryRun=%s",
                    m.request().uid(), m.request().operation(), m.request().namespace(),
                    dev.rofsguard.policy.ObjectRef.of("Pod", m.request().namespace(), m.request().object()).describe(),
                    String.join(",", m.plan().changes().keySet()), m.request().dryRun());
        }
        return Response.status(answer.status()).entity(answer.body()).build();
    }
}

package dev.rofsguard.web;

import dev.rofsguard.admission.AdmissionAnswer;
import dev.rofsguard.admission.MutatingAdmission;
import dev.rofsguard.admission.ValidatingAdmission;
import dev.rofsguard.policy.Decision;
import dev.rofsguard.policy.Mode;
import dev.rofsguard.policy.Outcome;
import dev.rofsguard.policy.Violation;
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

    @Inject
    public Admissions(PolicyHolder policy) {
        this.validating = new ValidatingAdmission(policy::current);
        this.mutating = new MutatingAdmission(policy::current);
    }

    public ValidatingAdmission validating() {
        return validating;
    }

    public MutatingAdmission mutating() {
        return mutating;
    }

    public Response answer(AdmissionAnswer answer) {
        Decision d = answer.decision();
        if (d != null && d.verdict().outcome() == Outcome.FAIL) {
            String containers = d.verdict().violations().stream().map(Violation::container).collect(Collectors.joining(","));
            LOG.infof("decision=%s mode=%s uid=%s operation=%s object=\"%s\" containers=%s dryRun=%s",
                    d.allowed() ? (d.mode() == Mode.AUDIT ? "audit" : "warn") : "deny", d.mode().label(),
                    answer.request().uid(), answer.request().operation(), d.verdict().object().describe(), containers,
                    answer.request().dryRun());
        }
        if (answer.plan() != null && !answer.plan().changes().isEmpty()) {
            LOG.infof("decision=patch uid=%s operation=%s namespace=%s object=\"%s\" containers=%s dryRun=%s",
                    answer.request().uid(), answer.request().operation(), answer.request().namespace(),
                    dev.rofsguard.policy.ObjectRef.of("Pod", answer.request().namespace(), answer.request().object()).describe(),
                    String.join(",", answer.plan().changes().keySet()), answer.request().dryRun());
        }
        return Response.status(answer.status()).entity(answer.body()).build();
    }
}

package dev.rofsguard.web;

import dev.rofsguard.admission.AdmissionReviews;
import dev.rofsguard.policy.Mode;
import io.smallrye.common.annotation.NonBlocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The admission door: read, call the engine, write. The body is read on the event loop; the engine runs on the
 * bounded admission pool ({@link AdmissionWorkers}) so a large review never holds an event loop.
 * Webhook URLs cannot carry query strings, so the mode is a path segment.
 */
@Path("/")
@Consumes(MediaType.WILDCARD)
@Produces(MediaType.APPLICATION_JSON)
public class AdmissionEndpoints {

    @Inject
    Admissions admissions;

    @Inject
    AdmissionWorkers workers;

    @POST
    @Path("validate")
    @NonBlocking
    public CompletionStage<Response> validate(byte[] body) {
        long start = System.nanoTime();
        return workers.submit(() -> admissions.answer("validate", start, admissions.validating().validate(body, null)));
    }

    @POST
    @Path("validate/{mode}")
    @NonBlocking
    public CompletionStage<Response> validate(@PathParam("mode") String mode, byte[] body) {
        return validateIn(mode, body, true);
    }

    /** For namespaces the webhook configuration routes away from the mutation: workloads are judged as they stand. */
    @POST
    @Path("validate/{mode}/no-mutation")
    @NonBlocking
    public CompletionStage<Response> validateWithoutMutation(@PathParam("mode") String mode, byte[] body) {
        return validateIn(mode, body, false);
    }

    private CompletionStage<Response> validateIn(String mode, byte[] body, boolean mutationRouted) {
        long start = System.nanoTime();
        Optional<Mode> m = Mode.parse(mode);
        if (m.isEmpty()) {
            String suffix = mutationRouted ? "" : "/no-mutation";
            return CompletableFuture.completedFuture(Response.status(404).entity(AdmissionReviews.error(404, "unknown mode '"
                    + mode + "': use /validate/enforce" + suffix + ", /validate/warn" + suffix + " or /validate/audit" + suffix)).build());
        }
        return workers.submit(() -> admissions.answer("validate", start, admissions.validating().validate(body, m.get(), mutationRouted)));
    }

    @POST
    @Path("mutate")
    @NonBlocking
    public CompletionStage<Response> mutate(byte[] body) {
        long start = System.nanoTime();
        return workers.submit(() -> admissions.answer("mutate", start, admissions.mutating().mutate(body)));
    }
}

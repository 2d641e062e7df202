package dev.rofsguard.web;

import dev.rofsguard.admission.AdmissionAnswer;
import dev.rofsguard.admission.AdmissionReviews;
import dev.rofsguard.admission.TreeAllowance;
import dev.rofsguard.policy.Mode;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The admission door: read, call the engine, write. A plain Vert.x route after the transport checks
 * ({@link HttpTransport}): the body is read on the event loop (bounded by the body limit), the engine runs on the
 * bounded admission pool ({@link AdmissionWorkers}) so a large review never holds an event loop, and the answer is
 * written back on the request's own event loop. Webhook URLs cannot carry query strings, so the mode is a path
 * segment: /validate, /validate/{mode}, /validate/{mode}/no-mutation, /mutate.
 */
@ApplicationScoped
public class AdmissionEndpoints {

    @Inject
    Admissions admissions;

    @Inject
    AdmissionWorkers workers;

    @Inject
    BodyBudget budget;

    @Inject
    Refusals refusals;

    @Inject
    HttpTransport transport;

    void install(@Observes Router router) {
        router.postWithRegex("/(validate|mutate)(/.*)?").order(Integer.MIN_VALUE + 2).handler(transport::readBody).handler(this::admit);
    }

    private void admit(RoutingContext ctx) {
        long start = System.nanoTime();
        String path = ctx.normalizedPath();
        byte[] body = HttpTransport.body(ctx);
        // Every admission path passes HttpTransport, which reserved the body's cost and keeps what the tree adds to it.
        AtomicLong grown = ctx.get(HttpTransport.TREE_GROWTH);
        TreeAllowance allowance = grown == null ? TreeAllowance.UNBOUNDED
                : budget.allowance(body.length, grown, () -> refusals.count(Refusals.MEMORY_BUDGET));
        Supplier<Response> work;
        if (path.equals("/mutate")) {
            work = () -> admissions.answer("mutate", start, admissions.mutating().mutate(body, allowance));
        } else if (path.equals("/validate")) {
            work = () -> admissions.answer("validate", start, admissions.validating().validate(body, null, true, allowance));
        } else if (path.startsWith("/validate/")) {
            String rest = path.substring("/validate/".length());
            boolean mutationRouted = !rest.endsWith("/no-mutation");
            String mode = mutationRouted ? rest : rest.substring(0, rest.length() - "/no-mutation".length());
            Optional<Mode> m = mode.contains("/") ? Optional.empty() : Mode.parse(mode);
            if (m.isEmpty()) {
                String suffix = mutationRouted ? "" : "/no-mutation";
                write(ctx, 404, AdmissionReviews.error(404, "unknown mode '" + mode + "': use /validate/enforce" + suffix
                        + ", /validate/warn" + suffix + " or /validate/audit" + suffix));
                return;
            }
            work = () -> admissions.answer("validate", start, admissions.validating().validate(body, m.get(), mutationRouted, allowance));
        } else {
            write(ctx, 404, AdmissionReviews.error(404, "no such endpoint: " + path));
            return;
        }
        Context context = Vertx.currentContext();
        workers.execute(() -> {
            Response r = work.get();
            context.runOnContext(v -> write(ctx, r.getStatus(), (byte[]) r.getEntity()));
        }, busy -> write(ctx, 503, busy));
    }

    private static void write(RoutingContext ctx, int status, byte[] json) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return; // the client went away (or the body timeout cut it off): nothing to answer
        }
        if (status == 503) {
            ctx.response().putHeader(HttpHeaders.RETRY_AFTER, Refusals.RETRY_AFTER);
        }
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(Buffer.buffer(json));
    }
}

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
import io.vertx.ext.web.handler.BodyHandler;
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

    @ConfigProperty(name = "rofs-guard.max-body-size", defaultValue = "7340032")
    long maxBodySize;

    void install(@Observes Router router) {
        // Preallocated: a body with a Content-Length is read into one array of exactly that size (see body()).
        BodyHandler body = BodyHandler.create(false).setBodyLimit(maxBodySize).setPreallocateBodyBuffer(true)
                .setHandleFileUploads(false).setMergeFormAttributes(false);
        router.postWithRegex("/(validate|mutate)(/.*)?").order(Integer.MIN_VALUE + 2).handler(body).handler(this::admit);
    }

    /**
     * The body as one array: the one it was read into when that holds exactly the body (a body with a Content-Length,
     * preallocated), else a copy. Copied, a large review's bytes were held twice beside its tree while it was judged;
     * the memory budget counts them once ({@link BodyBudget#cost}).
     */
    static byte[] body(RoutingContext ctx) {
        Buffer buffer = ctx.body().buffer();
        if (buffer == null) {
            return new byte[0];
        }
        @SuppressWarnings("deprecation") // the Netty buffer, to reach its array: Vert.x 4 offers no other way
        io.netty.buffer.ByteBuf bytes = buffer.getByteBuf();
        if (bytes.hasArray() && bytes.arrayOffset() == 0 && bytes.readerIndex() == 0 && bytes.array().length == bytes.readableBytes()) {
            return bytes.array(); // nothing writes to it any more: the body has been read
        }
        return buffer.getBytes();
    }

    private void admit(RoutingContext ctx) {
        long start = System.nanoTime();
        String path = ctx.normalizedPath();
        byte[] body = body(ctx);
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

package dev.rofsguard.web;

import dev.rofsguard.admission.AdmissionReviews;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Transport rules of the admission endpoints in one place: POST only, JSON only, a body limit answered with 413 and
 * a memory budget answered with 503 + Retry-After, both before the body is buffered (an HTTP/2 body up to
 * 1 MiB is read and dropped first, see {@link #refuse}); drain on shutdown. Every refusal
 * is a JSON Status (never an HTML page or a stack trace) and is counted by reason.
 */
@ApplicationScoped
public class HttpTransport {

    /**
     * 7 MiB, as controller-runtime: an UPDATE review carries the object and oldObject, each up to the API server's
     * 3 MiB request limit, plus the envelope.
     */
    public static final long DEFAULT_MAX_BODY_SIZE = 7 * 1024 * 1024;

    @ConfigProperty(name = "rofs-guard.max-body-size", defaultValue = "7340032")
    long maxBodySize;

    /**
     * Refused bodies up to this size are read (and dropped) before their answer; larger ones are answered at once and
     * their stream reset with NO_ERROR, since reading a flood of them would cost more CPU than it saves. Go may still
     * reset such a stream itself (when it takes in the answer before the server's reset), so a burst of large
     * refusals can yet trip the reset-flood guard; RefusalHeavyIT saw that with 100 KB bodies refused at once.
     */
    static final long DRAINED_BEFORE_REFUSAL = 1024 * 1024;

    /** The routing context's key of the heap a request's parsed tree was given beyond its reservation. */
    static final String TREE_GROWTH = "rofs-guard.tree-growth";

    /** Time for a body to arrive once its headers have: the API server sends it at once (its timeout is ≤ 30 s). */
    @ConfigProperty(name = "rofs-guard.body-timeout", defaultValue = "10s")
    java.time.Duration bodyTimeout;

    @Inject
    BodyBudget budget;

    @Inject
    Refusals refusals;

    @Inject
    Drain drain;

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 1).handler(this::check);
        router.route().order(Integer.MIN_VALUE + 1).failureHandler(this::failure);
    }

    private void check(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        if (!path.startsWith("/validate") && !path.startsWith("/mutate")) {
            ctx.next();
            return;
        }
        if (ctx.request().method() != HttpMethod.POST) {
            refuse(ctx, 405, Refusals.BAD_REQUEST, "use POST with an AdmissionReview v1 body");
            return;
        }
        String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
        if (type == null || !type.toLowerCase().startsWith("application/json")) {
            refuse(ctx, 415, Refusals.BAD_REQUEST, "Content-Type must be application/json, got "
                    + (type == null ? "none" : "'" + type + "'"));
            return;
        }
        String declared = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        long length = declaredLength(declared);
        if (length < 0 && declared != null) {
            refuse(ctx, 400, Refusals.BAD_REQUEST, "invalid Content-Length");
            return;
        }
        if (length > maxBodySize) {
            refuse(ctx, 413, Refusals.BODY_TOO_LARGE, "request body of " + length + " bytes is over the limit of "
                    + maxBodySize + " bytes (rofs-guard.max-body-size)");
            return;
        }
        // Before a byte of the body is read: the budget, not the heap, says no when too many large reviews arrive at once.
        long cost = budget.cost(length);
        if (!budget.tryReserve(cost)) {
            refuse(ctx, 503, Refusals.MEMORY_BUDGET, "server busy: admission bodies in flight hold " + budget.used() + " of "
                    + budget.capacity() + " bytes of heap (rofs-guard.memory-budget); retry");
            return;
        }
        // A sender that stalls mid-body would hold its reservation: the body has this long to arrive.
        long timer = bodyDeadline(ctx);
        // What the parsed tree asks for beyond the reservation (BodyBudget#allowance), released with it.
        AtomicLong grown = new AtomicLong();
        ctx.put(TREE_GROWTH, grown);
        ctx.addEndHandler(done -> {
            ctx.vertx().cancelTimer(timer);
            budget.release(cost);
            budget.releaseGrowth(grown.get());
        });
        drain.onRequest(ctx);
        ctx.next();
    }

    /**
     * Every refusal before the body: on HTTP/2, a body of a declared length up to {@link #DRAINED_BEFORE_REFUSAL} is
     * read and dropped before the answer. Answered while the client still sends it, Go's transport (the API server's)
     * resets the stream, and a burst of refusals then trips the server's reset-flood guard, whose GOAWAY
     * (ENHANCE_YOUR_CALM) fails every stream on that connection, admitted ones included. Reading holds nothing (the
     * bytes are dropped as they come); a body that does not come within the body timeout is reset. Otherwise the
     * answer goes at once ({@link Refusals#refuse}).
     */
    private void refuse(RoutingContext ctx, int status, String reason, String message) {
        long length = declaredLength(ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH));
        if (ctx.request().version() != HttpVersion.HTTP_2 || ctx.request().isEnded() || length < 0
                || length > DRAINED_BEFORE_REFUSAL) {
            refusals.refuse(ctx, status, reason, message);
            return;
        }
        long timer = bodyDeadline(ctx);
        ctx.request().handler(dropped -> { });
        ctx.request().endHandler(end -> {
            ctx.vertx().cancelTimer(timer);
            refusals.refuse(ctx, status, reason, message);
        });
        ctx.request().exceptionHandler(e -> ctx.vertx().cancelTimer(timer));
        ctx.request().resume();
    }

    /** The Content-Length header's length, or -1 when there is none or it is not a length (not a number, or negative). */
    private static long declaredLength(String header) {
        try {
            return header == null ? -1 : Math.max(-1, Long.parseLong(header.trim()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Cuts off a body that has not arrived within the body timeout (counted); returns the timer to cancel. */
    private long bodyDeadline(RoutingContext ctx) {
        return ctx.vertx().setTimer(bodyTimeout.toMillis(), id -> {
            if (!ctx.request().isEnded()) {
                refusals.count(Refusals.BODY_TIMEOUT);
                if (ctx.request().version() == HttpVersion.HTTP_2) {
                    ctx.response().reset(0x8); // CANCEL: the stream goes, the connection stays
                } else {
                    ctx.request().connection().close();
                }
            }
        });
    }

    /** Anything that failed below us (e.g. a chunked body over the server's limit) still gets a JSON Status. */
    private void failure(RoutingContext ctx) {
        if (ctx.response().headWritten()) {
            return;
        }
        int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
        String message = switch (status) {
            case 413 -> "request body is over the limit of " + maxBodySize + " bytes";
            case 404 -> "no such endpoint: " + ctx.normalizedPath();
            case 500 -> "internal error";
            default -> "request refused";
        };
        if (status == 413) {
            refusals.count(Refusals.BODY_TOO_LARGE);
        }
        refuse(ctx, status, message);
    }

    private static void refuse(RoutingContext ctx, int status, String message) {
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(Buffer.buffer(AdmissionReviews.error(status, message)));
    }
}

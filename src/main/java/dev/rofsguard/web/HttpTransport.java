package dev.rofsguard.web;

import dev.rofsguard.admission.AdmissionReviews;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Transport rules of the admission endpoints in one place: POST only, JSON only, a body limit answered with 413
 * before the body is read. Every refusal is a JSON Status, never an HTML page or a stack trace.
 */
@ApplicationScoped
public class HttpTransport {

    @ConfigProperty(name = "rofs-guard.max-body-size", defaultValue = "3145728")
    long maxBodySize;

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
            refuse(ctx, 405, "use POST with an AdmissionReview v1 body");
            return;
        }
        String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
        if (type == null || !type.toLowerCase().startsWith("application/json")) {
            refuse(ctx, 415, "Content-Type must be application/json, got " + (type == null ? "none" : "'" + type + "'"));
            return;
        }
        String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null) {
            try {
                if (Long.parseLong(length.trim()) > maxBodySize) {
                    ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
                    refuse(ctx, 413, "request body of " + length.trim() + " bytes is over the limit of " + maxBodySize
                            + " bytes (rofs-guard.max-body-size)");
                    return;
                }
            } catch (NumberFormatException e) {
                refuse(ctx, 400, "invalid Content-Length");
                return;
            }
        }
        ctx.next();
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
        refuse(ctx, status, message);
    }

    private static void refuse(RoutingContext ctx, int status, String message) {
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(Buffer.buffer(AdmissionReviews.error(status, message)));
    }
}

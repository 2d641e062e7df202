package dev.rofsguard.web;

import dev.rofsguard.admission.AdmissionReviews;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Every request the transport turns away, answered with a JSON Status and counted by reason in
 * {@code rofs_guard_refusals_total{reason}}: an operator must see the server shedding load, not guess it.
 */
@io.quarkus.runtime.Startup
@ApplicationScoped
public class Refusals {

    /** Reasons, as they appear in the metric. */
    public static final String BODY_TOO_LARGE = "body-too-large";
    public static final String MEMORY_BUDGET = "memory-budget";
    public static final String WORKERS_BUSY = "workers-busy";
    public static final String BAD_REQUEST = "bad-request";
    public static final String BODY_TIMEOUT = "body-timeout";
    /** Counted by {@link ConnectionGate}: a socket closed before its TLS handshake. */
    public static final String CONNECTION_LIMIT = "connection-limit";

    /** Seconds a client should wait before retrying a 503 (the API server itself does not retry; other clients may). */
    static final String RETRY_AFTER = "1";

    private static final String REFUSALS_HELP = "Admission requests refused by the transport before the engine saw them, by reason";

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    @Inject
    public Refusals(MeterRegistry registry) {
        this.registry = registry;
        for (String reason : new String[] {BODY_TOO_LARGE, MEMORY_BUDGET, WORKERS_BUSY, BAD_REQUEST, BODY_TIMEOUT}) {
            counter(reason); // present at zero from the start, so alerts can use rate() at once
        }
        // The connection gate runs below Vert.x, before CDI exists: its counts are read, not pushed.
        FunctionCounter.builder("rofs_guard_refusals", ConnectionGate.REFUSED, LongAdder::doubleValue)
                .tag("reason", CONNECTION_LIMIT).description(REFUSALS_HELP)
                .register(registry);
        for (Map.Entry<String, LongAdder> closed : Map.of("idle", ConnectionGate.CLOSED_IDLE,
                "idle-while-pressed", ConnectionGate.CLOSED_PRESSED).entrySet()) {
            FunctionCounter.builder("rofs_guard_connections_closed", closed.getValue(), LongAdder::doubleValue)
                    .tag("reason", closed.getKey()).description("Admission-port connections the server closed, by reason").register(registry);
        }
        Gauge.builder("rofs_guard_connections_open", ConnectionGate.OPEN, AtomicInteger::doubleValue)
                .description("Connections open on the admission port, handshakes included").register(registry);
    }

    void count(String reason) {
        counter(reason).increment();
    }

    private Counter counter(String reason) {
        return counters.computeIfAbsent(reason, r -> Counter.builder("rofs_guard_refusals").tag("reason", r)
                .description(REFUSALS_HELP).register(registry));
    }

    /** A refusal on the router, before the body is read. */
    void refuse(RoutingContext ctx, int status, String reason, String message) {
        count(reason);
        if (status == 503) {
            ctx.response().putHeader(HttpHeaders.RETRY_AFTER, RETRY_AFTER);
        }
        if (ctx.request().version() != HttpVersion.HTTP_2) {
            // The body was not read: an HTTP/1.1 connection cannot be reused after it. HTTP/2 resets the stream instead.
            ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
        }
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(Buffer.buffer(AdmissionReviews.error(status, message))).onComplete(written -> {
                    // HTTP/2, the client still sending: ask it to stop without error once the answer is out (RFC 9113
                    // §8.1). Left to itself, Go's transport resets the stream (CANCEL), and enough such resets trip
                    // the reset-flood guard, whose GOAWAY fails every stream of the connection. After the write, so
                    // the reset cannot overtake the answer.
                    if (ctx.request().version() == HttpVersion.HTTP_2 && !ctx.request().isEnded()) {
                        ctx.response().reset(0); // NO_ERROR
                    }
                });
    }

    /** A refusal after the body was read (the worker pool is full): the JSON Status to send with 503. */
    byte[] busy(String message) {
        count(WORKERS_BUSY);
        return AdmissionReviews.error(503, message);
    }
}

package dev.rofsguard.web;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Rolling updates: on SIGTERM (the start of Quarkus' shutdown delay) tell every client to go elsewhere while still
 * answering what it sends. HTTP/1.1 answers carry {@code Connection: close}. HTTP/2 forbids that header
 * (RFC 9113 §8.2.2); each HTTP/2 connection instead gets GOAWAY as RFC 9113 §6.8 describes: first with stream id
 * 2³¹−1 (stop opening streams), then, a round trip later, with the last stream id received (streams above it were
 * never processed, and clients such as Go's retry them on a new connection), then the streams in flight finish and
 * the connection closes. Connections first seen during the delay get the same.
 */
@io.quarkus.runtime.Startup
@ApplicationScoped
public class Drain {

    private static final Logger LOG = Logger.getLogger(Drain.class);

    @Inject
    Vertx vertx;

    /** Between the two GOAWAY frames: long enough for the first to reach the client and stop new streams. */
    @ConfigProperty(name = "rofs-guard.shutdown.goaway-interval", defaultValue = "1s")
    Duration goAwayInterval;

    @ConfigProperty(name = "quarkus.shutdown.timeout", defaultValue = "10s")
    Duration finishTimeout;

    private final Set<HttpConnection> http2 = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
    private final Set<HttpConnection> goingAway = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
    private volatile boolean draining;

    /** Called for every admission request, before its body is read. */
    void onRequest(RoutingContext ctx) {
        if (ctx.request().version() == HttpVersion.HTTP_2) {
            HttpConnection connection = ctx.request().connection();
            if (draining) {
                // A connection first seen during the delay: answer this request, then send GOAWAY.
                ctx.addEndHandler(done -> goAway(connection));
            } else {
                http2.add(connection);
            }
        } else if (draining) {
            ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
        }
    }

    void onShutdownDelay(@Observes ShutdownDelayInitiatedEvent event) {
        draining = true;
        List<HttpConnection> open;
        synchronized (http2) {
            open = new ArrayList<>(http2);
        }
        open.forEach(this::goAway);
        LOG.infof("shutdown delay started: still answering; GOAWAY sent on %d HTTP/2 connections, HTTP/1.1 answers carry Connection: close",
                open.size());
    }

    boolean draining() {
        return draining;
    }

    private void goAway(HttpConnection connection) {
        if (!goingAway.add(connection)) {
            return;
        }
        connection.goAway(0, Integer.MAX_VALUE, null);
        vertx.setTimer(Math.max(1, goAwayInterval.toMillis()), id -> {
            connection.goAway(0, -1, null); // -1: the last stream the peer opened
            connection.shutdown(finishTimeout.toMillis(), TimeUnit.MILLISECONDS);
        });
    }
}

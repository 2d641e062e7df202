package dev.rofsguard.web;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.impl.ConnectionBase;
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
import java.util.function.BooleanSupplier;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Rolling updates: on SIGTERM (the start of Quarkus' shutdown delay) tell every client to go elsewhere while still
 * answering what it sends. HTTP/1.1 answers carry {@code Connection: close}. HTTP/2 forbids that header
 * (RFC 9113 §8.2.2); each HTTP/2 connection instead gets GOAWAY as RFC 9113 §6.8 describes: first with stream id
 * 2³¹−1 (stop opening streams), then, a round trip later, with the last stream id received (streams above it were
 * never processed, and clients such as Go's retry them on a new connection), then the streams in flight finish and
 * the connection closes once the client has closed it or a GOAWAY interval has passed ({@link CloseHold}).
 * Connections first seen during the delay get the same.
 */
@io.quarkus.runtime.Startup
@ApplicationScoped
public class Drain {

    private static final Logger LOG = Logger.getLogger(Drain.class);

    @Inject
    Vertx vertx;

    /** Between the two GOAWAY frames: long enough for the first to reach the client and stop new streams. */
    @ConfigProperty(name = "rofs-guard.shutdown.goaway-interval")
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
            if (http2.add(connection)) {
                holdCloses(connection); // before its first answer, after which Quarkus' filter may close it when draining
            }
            if (draining && !goingAway.contains(connection)) {
                // A connection first seen during the delay: answer this request, then send GOAWAY.
                ctx.addEndHandler(done -> goAway(connection));
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

    /**
     * The first GOAWAY (2³¹−1), written as a bare frame. Sent through Vert.x it would mark the connection as going
     * away, and Vert.x closes such a connection the moment no stream is active: between two requests of a busy
     * connection, with the client's next streams already on the wire (RolloutHeavyIT: 6 of 50,000 failed with
     * "GOAWAY LastStreamID=49" sent 67 ms after the first). The second GOAWAY, with the last stream id, goes through
     * Vert.x, which then closes once the streams in flight have finished. Quarkus' shutdown filter also sends
     * GOAWAY(last stream) and asks for a close on each connection after its first answer in the delay.
     */
    private static void announceGoAway(HttpConnection connection) {
        ChannelHandlerContext ctx = channelContext(connection);
        if (ctx == null || !announceGoAway(ctx.pipeline(), () -> { })) {
            connection.goAway(0, Integer.MAX_VALUE, null); // not the Vert.x we know: the plain way
        }
    }

    /**
     * Writes the first GOAWAY (2³¹−1) as a bare frame on an HTTP/2 connection's event loop, then runs
     * {@code afterwards} there; false, doing nothing, when the pipeline has no HTTP/2 codec. Also how the connection
     * gate closes a quiet connection ({@link ConnectionGate}).
     */
    static boolean announceGoAway(ChannelPipeline pipeline, Runnable afterwards) {
        Http2ConnectionHandler h2 = pipeline.get(Http2ConnectionHandler.class);
        ChannelHandlerContext h2ctx = h2 == null ? null : pipeline.context(h2);
        if (h2ctx == null) {
            return false;
        }
        h2ctx.executor().execute(() -> {
            // On the connection's event loop, so exact: when a GOAWAY has gone out already (Quarkus' shutdown filter
            // sends one after the connection's first answer in the delay), a later one must not raise the stream id
            // (RFC 9113 §6.8), and a client that keeps the latest would forget which streams were refused.
            if (!h2.connection().goAwaySent()) {
                h2.encoder().frameWriter().writeGoAway(h2ctx, Integer.MAX_VALUE, 0, Unpooled.EMPTY_BUFFER, h2ctx.newPromise());
                h2ctx.flush();
            }
            afterwards.run();
        });
        return true;
    }

    /** The connection's Netty context, or null when Vert.x is not the one we know (then the plain Vert.x ways apply). */
    private static ChannelHandlerContext channelContext(HttpConnection connection) {
        return connection instanceof ConnectionBase base ? base.channelHandlerContext() : null;
    }

    /**
     * Puts a {@link CloseHold} under the HTTP/2 codec of this connection, once: during the delay, a close of the
     * connection (Vert.x's, once its last stream is done after a GOAWAY) waits until the client closes or a GOAWAY
     * interval has passed.
     */
    private void holdCloses(HttpConnection connection) {
        ChannelHandlerContext ctx = channelContext(connection);
        if (ctx == null) {
            return;
        }
        ChannelPipeline pipeline = ctx.pipeline();
        Runnable install = () -> {
            ChannelHandlerContext h2 = pipeline.context(Http2ConnectionHandler.class);
            if (h2 != null && pipeline.get(CloseHold.class) == null && ctx.channel().isActive()) {
                Http2ConnectionHandler codec = (Http2ConnectionHandler) h2.handler();
                pipeline.addBefore(h2.name(), "rofs-guard-close-hold", new CloseHold(() -> draining,
                        () -> codec.connection().numActiveStreams(), Math.max(1, goAwayInterval.toMillis()), finishTimeout.toMillis()));
            }
        };
        // At once on the connection's event loop (where requests arrive), so no close can slip in before it.
        if (ctx.executor().inEventLoop()) {
            install.run();
        } else {
            ctx.executor().execute(install);
        }
    }

    /**
     * Sits between TLS and the HTTP/2 codec and, while draining, holds the close that Vert.x issues once the streams
     * in flight are done after a GOAWAY, until the client closes (Go's client does as soon as it has read the GOAWAY
     * and has no stream left) or {@code holdMillis} have passed. Closed at once, the socket would still have the
     * client's frames sent before it read the GOAWAY unread: the kernel then answers with a reset, and the client,
     * which may not have read the GOAWAY with the last stream id yet, fails those streams instead of retrying them
     * elsewhere (RolloutHeavyIT: "GOAWAY LastStreamID=2147483647 … closed the connection"). TLS' close_notify must
     * wait too, so the hold is above the TLS handler, not at the socket. Meanwhile the codec keeps reading and
     * ignores streams above the last id, so the socket's receive queue stays empty. A close asked for while streams are
     * still active (Quarkus' shutdown filter closes a connection after its first answer in the delay, without waiting
     * for the others) is held until they have finished too, within the shutdown timeout: released after the GOAWAY
     * interval alone, it cut a review that had taken 1.2 s to answer (RolloutHeavyIT, "server sent GOAWAY and closed
     * the connection; LastStreamID=41").
     */
    static final class CloseHold extends ChannelDuplexHandler {

        /** How often a held close looks again at the streams still active. */
        private static final long RECHECK_MILLIS = 20;
        private final BooleanSupplier draining;
        private final java.util.function.IntSupplier activeStreams;
        private final long holdMillis;
        private final long maxHoldMillis;
        private ChannelPromise held;
        private boolean released;

        CloseHold(BooleanSupplier draining, java.util.function.IntSupplier activeStreams, long holdMillis, long maxHoldMillis) {
            this.draining = draining;
            this.activeStreams = activeStreams;
            this.holdMillis = holdMillis;
            this.maxHoldMillis = Math.max(holdMillis, maxHoldMillis);
        }

        @Override
        public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
            if (held != null) {
                // Another close of the same connection (the codec closes once per graceful close it is asked for,
                // and Quarkus' filter and this class each ask): it ends with the held one, not before it.
                held.addListener(f -> {
                    if (f.isSuccess()) {
                        promise.trySuccess();
                    } else {
                        promise.tryFailure(f.cause());
                    }
                });
                return;
            }
            if (released || !draining.getAsBoolean() || !ctx.channel().isActive()) {
                ctx.close(promise); // TLS may take a moment to close after the release: not held a second time
                return;
            }
            held = promise;
            ctx.flush();
            ctx.executor().schedule(() -> releaseWhenDone(ctx, holdMillis), holdMillis, TimeUnit.MILLISECONDS);
        }

        /** After the GOAWAY interval: closes once no stream is active, or when the shutdown timeout is up. */
        private void releaseWhenDone(ChannelHandlerContext ctx, long heldMillis) {
            if (activeStreams.getAsInt() > 0 && heldMillis < maxHoldMillis) {
                ctx.executor().schedule(() -> releaseWhenDone(ctx, heldMillis + RECHECK_MILLIS), RECHECK_MILLIS, TimeUnit.MILLISECONDS);
            } else {
                release(ctx);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            release(ctx); // the client closed first: nothing left to wait for
            super.channelInactive(ctx);
        }

        private void release(ChannelHandlerContext ctx) {
            ChannelPromise promise = held;
            if (promise != null && !released) {
                released = true;
                ctx.close(promise);
            }
        }
    }

    private void goAway(HttpConnection connection) {
        if (!goingAway.add(connection)) {
            return;
        }
        announceGoAway(connection);
        vertx.setTimer(Math.max(1, goAwayInterval.toMillis()), id -> {
            connection.goAway(0, -1, null); // -1: the last stream the peer opened
            connection.shutdown(finishTimeout.toMillis(), TimeUnit.MILLISECONDS);
        });
    }
}

package dev.rofsguard.web;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.impl.transports.JDKTransport;
import io.vertx.core.net.ClientOptionsBase;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.spi.transport.Transport;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * Connection limits on the admission port, applied where they are cheap: on the accepted socket, before the TLS
 * handshake. Vert.x checks {@code max-connections} only after the handshake (for HTTP/2, after the client's
 * SETTINGS), so every refused connection cost a full handshake and idle connections held every slot: 3,000 idle
 * TLS connections kept the API server out. Here:
 * <ul>
 *   <li>over {@code rofs-guard.max-connections}, a new socket is closed at once, with no handshake, and counted
 *       ({@code rofs_guard_refusals_total{reason="connection-limit"}});</li>
 *   <li>a connection with no traffic for {@code rofs-guard.idle-timeout} is closed, and so, while more than three
 *       quarters of the slots are taken, is one quiet for {@code rofs-guard.idle-timeout-pressed} (as Jetty's
 *       ConnectionLimit lowers the idle timeout). "Quiet" means nothing read or written, and the client spoke
 *       last no later than we did (HTTP/1.1) or no stream is active (HTTP/2): a request that is being answered is
 *       never cut, and a pressed close is confirmed on the connection's own event loop ({@link Activity#closeIfQuiet}).
 *       An HTTP/2 connection gets GOAWAY twice, as at shutdown ({@link Activity#close}), and the client moves to a new
 *       connection; Vert.x's own idle timeout closes HTTP/2 with no GOAWAY.</li>
 * </ul>
 * Vert.x offers no hook ahead of its TLS handler; its transport SPI configures the server's bootstrap, so this is a
 * transport (the JDK one, wrapped), found through {@code META-INF/services} with
 * {@code quarkus.vertx.prefer-native-transport=true}. Only TLS servers get the gate: the management port (plain
 * HTTP) stays open to probes.
 */
public final class ConnectionGate implements Transport {

    private static final Logger LOG = Logger.getLogger(ConnectionGate.class);
    private static final Transport JDK = JDKTransport.INSTANCE;

    /** What the gates of this process did, for the metrics (the transport is made before CDI exists). */
    static final LongAdder REFUSED = new LongAdder();
    static final LongAdder CLOSED_IDLE = new LongAdder();
    static final LongAdder CLOSED_PRESSED = new LongAdder();
    static final AtomicInteger OPEN = new AtomicInteger();

    @Override
    public void configure(NetServerOptions options, boolean domainSocket, ServerBootstrap bootstrap) {
        JDK.configure(options, domainSocket, bootstrap);
        if (options.isSsl() && !domainSocket) {
            Config config = ConfigProvider.getConfig();
            // The defaults live in application.properties, once.
            int max = config.getValue("rofs-guard.max-connections", Integer.class);
            Duration idle = config.getValue("rofs-guard.idle-timeout", Duration.class);
            Duration pressed = config.getValue("rofs-guard.idle-timeout-pressed", Duration.class);
            Duration goAway = config.getValue("rofs-guard.shutdown.goaway-interval", Duration.class);
            bootstrap.handler(new Gate(max, idle.toNanos(), pressed.toNanos(), goAway.toNanos()));
            LOG.debugf("connection gate on port %d: at most %d connections, idle %s (%s when pressed)", options.getPort(), max, idle, pressed);
        }
    }

    /** On the listening socket: sees each accepted socket before Vert.x gives it a pipeline. */
    @ChannelHandler.Sharable
    static final class Gate extends ChannelInboundHandlerAdapter {

        private final int max;
        private final int pressedAt;
        private final long idleNanos;
        private final long pressedIdleNanos;
        private final Set<Activity> open = ConcurrentHashMap.newKeySet();
        private volatile ScheduledFuture<?> sweep;
        private static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);
        private long refusedLogged = REFUSED.sum();
        private long loggedAt = System.nanoTime() - LOG_EVERY_NANOS;

        private final long goAwayNanos;

        Gate(int max, long idleNanos, long pressedIdleNanos, long goAwayNanos) {
            this.max = max;
            this.pressedAt = Math.max(1, max * 3 / 4);
            this.idleNanos = idleNanos;
            this.pressedIdleNanos = pressedIdleNanos;
            this.goAwayNanos = Math.max(1, goAwayNanos);
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            long every = Math.max(TimeUnit.MILLISECONDS.toNanos(100), Math.min(pressedIdleNanos, idleNanos) / 2);
            sweep = ctx.executor().scheduleAtFixedRate(this::sweep, every, every, TimeUnit.NANOSECONDS);
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            ScheduledFuture<?> s = sweep;
            if (s != null) {
                s.cancel(false);
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Channel child = (Channel) msg;
            if (open.size() >= max && !makeRoom()) {
                REFUSED.increment();
                child.unsafe().closeForcibly(); // not registered yet: no pipeline, no handshake
                return;
            }
            Activity activity = new Activity(child, goAwayNanos);
            open.add(activity);
            OPEN.incrementAndGet();
            child.closeFuture().addListener(f -> {
                if (open.remove(activity)) {
                    OPEN.decrementAndGet();
                }
            });
            child.pipeline().addFirst("rofs-guard-activity", activity);
            ctx.fireChannelRead(msg);
        }

        /**
         * At the limit, a newcomer takes the place of the connection quiet longest, if one has been quiet for the
         * pressed timeout: the sweep would close it anyway, and the newcomer is likely the API server. The slot is
         * handed over at once; the old connection's graceful close finishes on its own, or, found busy on its own
         * event loop, it takes a place again.
         */
        private boolean makeRoom() {
            long now = System.nanoTime();
            Activity quietest = null;
            long longest = pressedIdleNanos - 1;
            for (Activity a : open) {
                long quiet = a.quietFor(now);
                if (!a.closing && quiet > longest && a.safeToClose()) {
                    quietest = a;
                    longest = quiet;
                }
            }
            if (quietest == null || !open.remove(quietest)) {
                return false;
            }
            OPEN.decrementAndGet();
            Activity old = quietest;
            // Not quiet after all (its event loop was behind): it keeps a place, one over the limit until it closes.
            old.closeIfQuiet(pressedIdleNanos, () -> {
                if (old.channel.isOpen() && open.add(old)) {
                    OPEN.incrementAndGet();
                }
            });
            return true;
        }

        /** Closes what has been quiet too long; runs on the listening socket's event loop. */
        private void sweep() {
            long now = System.nanoTime();
            long refused = REFUSED.sum();
            if (refused > refusedLogged && now - loggedAt >= LOG_EVERY_NANOS) {
                // Said, at most every 10 s: an operator should see the port full without a line per socket.
                LOG.warnf("admission port full (%d connections): %d new connections closed before their handshake since the last report",
                        open.size(), refused - refusedLogged);
                refusedLogged = refused;
                loggedAt = now;
            }
            boolean pressed = open.size() >= pressedAt;
            for (Activity a : open) {
                long quiet = a.quietFor(now);
                if (a.closing) {
                    continue; // closed by an earlier sweep; HTTP/2's graceful close may take a moment
                }
                if (quiet >= idleNanos) {
                    // Longer than any admission may take (the API server waits 30 s at most), whoever spoke last.
                    CLOSED_IDLE.increment();
                    a.close();
                } else if (pressed && quiet >= pressedIdleNanos && a.safeToClose()) {
                    a.closeIfQuiet(pressedIdleNanos, () -> { });
                }
            }
        }
    }

    /** First in each connection's pipeline: when it last read and last wrote (TLS records, not requests). */
    static final class Activity extends ChannelDuplexHandler {

        /** Between a pressed close's two looks at the connection, on its own event loop. */
        private static final long CONFIRM_MILLIS = 10;
        /** How often a close after GOAWAY looks again whether the client has gone quiet. */
        private static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
        private final Channel channel;
        private final long goAwayNanos;
        private volatile long lastRead;
        private volatile long lastWrite;
        private volatile boolean closing;

        Activity(Channel channel, long goAwayNanos) {
            this.channel = channel;
            this.goAwayNanos = goAwayNanos;
            long now = System.nanoTime();
            this.lastRead = now;
            this.lastWrite = now;
        }

        /**
         * HTTP/2 as RFC 9113 §6.8 has a server shut a connection down: GOAWAY with stream id 2³¹−1 first, then, a
         * GOAWAY interval later, the close through the whole pipeline (Netty's graceful close: GOAWAY with the last
         * stream id, the streams in flight finish). Quiet at the sweep does not mean the client is not sending: a
         * single GOAWAY with the last stream id, closed at once, lost the client's next requests already on the wire
         * (OverloadHeavyIT, 1 run in 9: three small reviews on one connection failed with EOF and broken pipe). The
         * first GOAWAY is a bare frame, so that Vert.x goes on serving the streams that still come. Anything else
         * (HTTP/1.1, a handshake not done) closes at once.
         */
        void close() {
            closing = true;
            if (!Drain.announceGoAway(channel.pipeline(),
                    () -> channel.eventLoop().schedule(() -> finishClose(System.nanoTime()), goAwayNanos, TimeUnit.NANOSECONDS))) {
                channel.close();
            }
        }

        /**
         * A GOAWAY interval after the first GOAWAY, the close (Netty's graceful one: GOAWAY with the last stream id)
         * once the client has sent nothing for an interval and has no stream active, so that nothing it sent before it
         * read the GOAWAY is still on the wire: closed with bytes unread, the kernel resets the connection and the
         * client fails those requests. Ten intervals at most; usually the client closes first (Go's does once it has
         * no stream left).
         */
        private void finishClose(long since) {
            if (!channel.isActive()) {
                return;
            }
            long now = System.nanoTime();
            if ((now - lastRead >= goAwayNanos && safeToClose()) || now - since >= 9 * goAwayNanos) {
                channel.close();
            } else {
                channel.eventLoop().schedule(() -> finishClose(since), Math.min(goAwayNanos, RECHECK_NANOS), TimeUnit.NANOSECONDS);
            }
        }

        /**
         * Closes as {@link #close} does, pressed, once the connection's own event loop confirms it quiet. The sweep and
         * a newcomer's {@code makeRoom} run on the listening socket's loop, and a connection whose loop is behind
         * (reading other connections' large bodies, or resuming after a GC pause) has requests waiting unread in its
         * socket: it only looks quiet, and no stream is active yet. So the check is made again on its loop, a loop
         * iteration later (a task scheduled from a task runs after the loop has selected and read once more); anything
         * read meanwhile keeps the connection (OverloadHeavyIT, 1 run in 6: a small-review client's busy connection
         * was closed in a flood's first seconds, and its requests failed with EOF and resets).
         *
         * @param kept runs on the connection's loop when it was not quiet after all
         */
        void closeIfQuiet(long quietNanos, Runnable kept) {
            closing = true;
            try {
                channel.eventLoop().execute(() -> {
                    long seen = lastRead;
                    channel.eventLoop().schedule(() -> {
                        if (lastRead == seen && quietFor(System.nanoTime()) >= quietNanos && safeToClose()) {
                            CLOSED_PRESSED.increment();
                            close();
                        } else {
                            closing = false;
                            kept.run();
                        }
                    }, CONFIRM_MILLIS, TimeUnit.MILLISECONDS);
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // The event loop is shutting down: so is the connection.
            }
        }

        /** How long nothing moved either way. */
        long quietFor(long now) {
            return now - Math.max(lastRead, lastWrite);
        }

        /**
         * Whether closing now loses no request. HTTP/2: no stream is active (its clients send frames after our
         * answers, WINDOW_UPDATE and SETTINGS ACK, so who spoke last says nothing there; and a graceful close with a
         * stream in flight still lost a small review under OverloadHeavyIT, when an answer took over the pressed
         * timeout). The count is read off the connection's event loop: a stale value only defers the close to a later
         * sweep or lets the graceful close handle it. HTTP/1.1, or a handshake: only when we wrote last.
         */
        boolean safeToClose() {
            Http2ConnectionHandler h2 = channel.pipeline().get(Http2ConnectionHandler.class);
            return h2 != null ? h2.connection().numActiveStreams() == 0 : lastWrite >= lastRead;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            lastRead = System.nanoTime();
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            lastWrite = System.nanoTime();
            ctx.write(msg, promise);
        }
    }

    // --- The JDK transport, unchanged -------------------------------------------------------------------------

    @Override
    public EventLoopGroup eventLoopGroup(int type, int nThreads, ThreadFactory threadFactory, int ioRatio) {
        return JDK.eventLoopGroup(type, nThreads, threadFactory, ioRatio);
    }

    @Override
    public DatagramChannel datagramChannel() {
        return JDK.datagramChannel();
    }

    @Override
    public DatagramChannel datagramChannel(InternetProtocolFamily family) {
        return JDK.datagramChannel(family);
    }

    @Override
    public ChannelFactory<? extends Channel> channelFactory(boolean domainSocket) {
        return JDK.channelFactory(domainSocket);
    }

    @Override
    public ChannelFactory<? extends ServerChannel> serverChannelFactory(boolean domainSocket) {
        return JDK.serverChannelFactory(domainSocket);
    }

    @Override
    public boolean supportsDomainSockets() {
        return JDK.supportsDomainSockets();
    }

    @Override
    public boolean supportFileRegion() {
        return JDK.supportFileRegion();
    }

    @Override
    public void configure(DatagramChannel channel, DatagramSocketOptions options) {
        JDK.configure(channel, options);
    }

    @Override
    public void configure(ClientOptionsBase options, boolean domainSocket, io.netty.bootstrap.Bootstrap bootstrap) {
        JDK.configure(options, domainSocket, bootstrap);
    }

    @Override
    public java.net.SocketAddress convert(io.vertx.core.net.SocketAddress address) {
        return JDK.convert(address);
    }

    @Override
    public io.vertx.core.net.SocketAddress convert(java.net.SocketAddress address) {
        return JDK.convert(address);
    }
}

package dev.rofsguard.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2ChannelDuplexHandler;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The admission port's connection limit is applied to the socket, before the TLS handshake, and a full port sheds
 * quiet connections: HTTP/2 ones with GOAWAY first. With 4 slots, 3 taken is "pressed".
 */
@QuarkusTest
@QuarkusTestResource(TestTls.class)
@TestProfile(ConnectionGateTest.FourSlots.class)
class ConnectionGateTest {

    public static class FourSlots implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("rofs-guard.max-connections", "4", "rofs-guard.idle-timeout-pressed", "1s",
                    "rofs-guard.idle-timeout", "60s");
        }
    }

    private static final int PORT = 8444;

    @jakarta.inject.Inject
    io.vertx.core.Vertx vertx;

    private final List<Socket> sockets = new ArrayList<>();
    /** The raw HTTP/2 clients' event loop. */
    private final EventLoopGroup clientLoop = new NioEventLoopGroup(1);

    @BeforeEach
    void noConnectionsLeft() {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> ConnectionGate.OPEN.get() == 0);
    }

    @AfterEach
    void close() throws Exception {
        for (Socket s : sockets) {
            s.close();
        }
        clientLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    private Socket connect() throws Exception {
        Socket s = new Socket("localhost", PORT);
        sockets.add(s);
        return s;
    }

    /** -1 when the server closed the socket, 0 when it is still open after the wait; never a byte (no handshake). */
    private static int readWithin(Socket s, Duration wait) throws Exception {
        s.setSoTimeout((int) wait.toMillis());
        try {
            int b = s.getInputStream().read(); // the stream is not closed here: that would close the socket
            assertThat(b).as("the server sends nothing before the client's hello").isEqualTo(-1);
            return -1;
        } catch (SocketTimeoutException e) {
            return 0;
        } catch (SocketException e) {
            return -1; // reset: closed as well
        }
    }

    @Test
    void overTheLimitASocketIsClosedBeforeAnyHandshake() throws Exception {
        long refused = ConnectionGate.REFUSED.sum();
        for (int i = 0; i < 4; i++) {
            connect();
        }
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> ConnectionGate.OPEN.get() == 4);
        Socket fifth = connect();
        assertThat(readWithin(fifth, Duration.ofSeconds(5))).as("the fifth socket is closed").isEqualTo(-1);
        assertThat(ConnectionGate.REFUSED.sum()).isEqualTo(refused + 1);
        // The four quiet ones hold the port full ("pressed"): they are closed after a second of silence.
        long pressed = ConnectionGate.CLOSED_PRESSED.sum();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ConnectionGate.OPEN.get() == 0);
        assertThat(ConnectionGate.CLOSED_PRESSED.sum()).isGreaterThanOrEqualTo(pressed + 4);
    }

    @Test
    void belowThePressureAQuietConnectionStays() throws Exception {
        Socket one = connect();
        Socket two = connect();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> ConnectionGate.OPEN.get() == 2);
        assertThat(readWithin(one, Duration.ofMillis(2500))).as("2.5 s quiet, 2 of 4 slots taken: still open").isZero();
        assertThat(ConnectionGate.OPEN.get()).isEqualTo(2);
    }

    @Test
    void underPressureAQuietHttp2ConnectionIsToldToStopBeforeItIsClosed() throws Exception {
        // Netty's HTTP/2 frame codec as the client, to see each frame and to open a stream at the very moment the
        // GOAWAY arrives: the request a busy client has on the wire then. RFC 9113 §6.8: the first GOAWAY says 2^31-1,
        // so that stream is served; the connection closes a GOAWAY interval later, after a second GOAWAY naming it.
        RawHttp2Client client = new RawHttp2Client();
        Channel channel = answeredThenPressed(client);
        CompletableFuture<Long> closedAt = closeTime(channel);
        assertThat(client.firstGoAway.get(10, TimeUnit.SECONDS)).as("stop opening streams: 2^31-1").isEqualTo(Integer.MAX_VALUE);
        assertThat(client.afterGoAway.get(10, TimeUnit.SECONDS)).as("the stream opened as the GOAWAY came is answered").isEqualTo("404");
        long closed = closedAt.get(10, TimeUnit.SECONDS);
        assertThat(client.goAways).as("then the last stream id").containsExactly(Integer.MAX_VALUE, client.lastStream);
        assertThat(closed - client.firstGoAwayAt).as("a GOAWAY interval after the first").isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(900));
    }

    @Test
    void afterTheFirstGoAwayTheCloseWaitsUntilTheClientHasGoneQuiet() throws Exception {
        // A client that still sends after the first GOAWAY (here a PING every 200 ms for 2.5 s; a slow client's
        // requests on the wire) keeps the connection until it has sent nothing for a GOAWAY interval: closed with its
        // bytes unread, the kernel would reset the connection and the client lose what it sent.
        RawHttp2Client client = new RawHttp2Client();
        Channel channel = answeredThenPressed(client);
        CompletableFuture<Long> closedAt = closeTime(channel);
        client.firstGoAway.get(10, TimeUnit.SECONDS);
        long[] lastPing = {System.nanoTime()};
        io.netty.util.concurrent.ScheduledFuture<?> pinging = channel.eventLoop().scheduleAtFixedRate(() -> {
            if (System.nanoTime() - client.firstGoAwayAt < TimeUnit.MILLISECONDS.toNanos(2500)) {
                channel.writeAndFlush(new io.netty.handler.codec.http2.DefaultHttp2PingFrame(lastPing[0]));
                lastPing[0] = System.nanoTime();
            }
        }, 0, 200, TimeUnit.MILLISECONDS);
        long closed = closedAt.get(20, TimeUnit.SECONDS);
        pinging.cancel(false);
        assertThat(closed - client.firstGoAwayAt).as("not a GOAWAY interval after the first, while the client still sends")
                .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(2500));
        assertThat(closed - lastPing[0]).as("a GOAWAY interval after the client's last frame")
                .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(900));
        assertThat(client.goAways).as("then the last stream id").containsExactly(Integer.MAX_VALUE, client.lastStream);
    }

    @Test
    void underPressureABusyConnectionWhoseEventLoopIsBehindStays() throws Exception {
        // The gate's sweep runs on the listening socket's event loop. While the connections' loops are held (here all
        // of them for 2.5 s; under a flood, by other connections' large bodies or a GC pause), a client that keeps
        // sending has its requests waiting unread: by the bytes read it looks quiet, with no stream active. It must
        // not be told to go away (under a full port it could not come back).
        RawHttp2Client client = new RawHttp2Client();
        Channel channel = answeredThenPressed(client);
        io.netty.channel.EventLoopGroup loops = ((io.vertx.core.impl.VertxInternal) vertx).getEventLoopGroup();
        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
        for (io.netty.util.concurrent.EventExecutor loop : loops) {
            loop.execute(() -> {
                held.countDown();
                try {
                    Thread.sleep(2500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        assertThat(held.await(5, TimeUnit.SECONDS)).isTrue();
        List<CompletableFuture<String>> answers = new java.util.concurrent.CopyOnWriteArrayList<>();
        io.netty.util.concurrent.ScheduledFuture<?> sending = channel.eventLoop().scheduleAtFixedRate(
                () -> answers.add(client.get()), 0, 100, TimeUnit.MILLISECONDS);
        Thread.sleep(2300);
        sending.cancel(false);
        for (CompletableFuture<String> answer : answers) {
            assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo("404");
        }
        Thread.sleep(1500); // time for a GOAWAY to arrive, had the gate decided to close the connection
        assertThat(answers).hasSizeGreaterThanOrEqualTo(20);
        assertThat(client.goAways).as("no GOAWAY for a connection that was only waiting for its event loop").isEmpty();
        assertThat(channel.isActive()).isTrue();
        channel.close().sync();
    }

    /** A raw HTTP/2 connection that has had one answer, then two sockets more: 3 of 4 slots taken, "pressed". */
    private Channel answeredThenPressed(RawHttp2Client client) throws Exception {
        Channel channel = rawHttp2(clientLoop, client);
        CompletableFuture<CompletableFuture<String>> first = new CompletableFuture<>();
        channel.eventLoop().execute(() -> first.complete(client.get()));
        assertThat(first.get(10, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS)).isEqualTo("404");
        assertThat(ConnectionGate.OPEN.get()).isEqualTo(1);
        for (int i = 0; i < 2; i++) {
            connect();
        }
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> ConnectionGate.OPEN.get() == 3);
        return channel;
    }

    /** When the connection closes, as {@link System#nanoTime}. */
    private static CompletableFuture<Long> closeTime(Channel channel) {
        CompletableFuture<Long> at = new CompletableFuture<>();
        channel.closeFuture().addListener(f -> at.complete(System.nanoTime()));
        return at;
    }

    /** Netty's HTTP/2 frame codec over TLS to the admission port, with {@code client} on top. */
    private static Channel rawHttp2(EventLoopGroup group, RawHttp2Client client) throws Exception {
        SslContext tls = SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_2))
                .build();
        return new Bootstrap().group(group).channel(NioSocketChannel.class).handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(tls.newHandler(ch.alloc(), "localhost", PORT), Http2FrameCodecBuilder.forClient().build(), client);
            }
        }).connect("localhost", PORT).sync().channel();
    }

    /** Sends GET /no-such-path on a new stream when asked and when the first GOAWAY arrives; records what comes back. */
    static final class RawHttp2Client extends Http2ChannelDuplexHandler {
        final List<Integer> goAways = new java.util.concurrent.CopyOnWriteArrayList<>();
        final CompletableFuture<Integer> firstGoAway = new CompletableFuture<>();
        volatile CompletableFuture<String> afterGoAway;
        volatile long firstGoAwayAt;
        volatile int lastStream;
        private final Map<Integer, CompletableFuture<String>> statuses = new java.util.concurrent.ConcurrentHashMap<>();
        private ChannelHandlerContext ctx;

        @Override
        protected void handlerAdded0(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        /** On the channel's event loop: the status the answer brings (the stream's id is known once it is written). */
        CompletableFuture<String> get() {
            CompletableFuture<String> status = new CompletableFuture<>();
            io.netty.handler.codec.http2.Http2FrameStream stream = newStream();
            ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().method("GET").scheme("https")
                    .authority("localhost:" + PORT).path("/no-such-path"), true).stream(stream)).addListener(f -> {
                        if (f.isSuccess()) {
                            lastStream = stream.id();
                            statuses.put(stream.id(), status);
                        } else {
                            status.completeExceptionally(f.cause());
                        }
                    });
            return status;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2GoAwayFrame goAway) {
                goAways.add(goAway.lastStreamId());
                if (goAways.size() == 1) {
                    firstGoAwayAt = System.nanoTime();
                    afterGoAway = get();
                    firstGoAway.complete(goAway.lastStreamId());
                }
            } else if (msg instanceof Http2HeadersFrame headers && headers.headers().status() != null) {
                CompletableFuture<String> status = statuses.get(headers.stream().id());
                if (status != null) {
                    status.complete(headers.headers().status().toString());
                }
            }
            ReferenceCountUtil.release(msg);
        }
    }
}

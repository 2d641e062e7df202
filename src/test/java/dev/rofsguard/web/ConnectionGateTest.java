package dev.rofsguard.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Vertx;
import io.vertx.core.http.GoAway;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import jakarta.inject.Inject;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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

    @Inject
    Vertx vertx;

    private final List<Socket> sockets = new ArrayList<>();

    @BeforeEach
    void noConnectionsLeft() {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> ConnectionGate.OPEN.get() == 0);
    }

    @AfterEach
    void close() throws Exception {
        for (Socket s : sockets) {
            s.close();
        }
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
    void underPressureAQuietHttp2ConnectionGetsGoAwayBeforeItIsClosed() throws Exception {
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setUseAlpn(true).setTrustAll(true)
                .setVerifyHost(false).setProtocolVersion(HttpVersion.HTTP_2).setDefaultPort(PORT).setDefaultHost("localhost"));
        try {
            CompletableFuture<GoAway> goAway = new CompletableFuture<>();
            CompletableFuture<Long> closedAt = new CompletableFuture<>();
            AtomicLong goAwayAt = new AtomicLong();
            CompletableFuture<Integer> status = new CompletableFuture<>();
            client.request(HttpMethod.GET, "/no-such-path").onSuccess(req -> {
                HttpConnection connection = req.connection();
                connection.goAwayHandler(ga -> {
                    goAwayAt.set(System.nanoTime());
                    goAway.complete(ga);
                });
                connection.closeHandler(v -> closedAt.complete(System.nanoTime()));
                req.send().onSuccess(resp -> status.complete(resp.statusCode())).onFailure(status::completeExceptionally);
            }).onFailure(status::completeExceptionally);
            assertThat(status.get(10, TimeUnit.SECONDS)).isEqualTo(404);
            assertThat(ConnectionGate.OPEN.get()).isEqualTo(1);
            for (int i = 0; i < 2; i++) {
                connect(); // 3 of 4 slots: pressed
            }
            GoAway ga = goAway.get(10, TimeUnit.SECONDS);
            assertThat(ga.getErrorCode()).as("NO_ERROR").isZero();
            assertThat(ga.getLastStreamId()).as("the one stream the client opened was processed").isEqualTo(1);
            assertThat(closedAt.get(10, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(goAwayAt.get());
        } finally {
            client.close();
        }
    }
}

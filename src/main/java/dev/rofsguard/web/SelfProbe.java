package dev.rofsguard.web;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemTrustOptions;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Posts to our own HTTPS port over loopback, as the API server will: HTTP/2 (ALPN) and HTTP/1.1, several
 * connections kept alive. The certificate we serve is the only trust anchor, so the chain is verified; the host
 * name is not (a cert-manager certificate names the Service, not 127.0.0.1).
 */
final class SelfProbe {

    private SelfProbe() {
    }

    /** HTTP/2 streams in flight per connection during the warm-up. */
    static final int STREAMS_PER_CONNECTION = 8;

    /** Warms both protocols; returns the failures (one per protocol that could not be warmed), empty when all went well. */
    static List<String> post(Vertx vertx, int port, String certFile, String path, byte[] body, int connections, int requestsPerConnection) {
        List<String> failures = new ArrayList<>();
        for (HttpVersion version : List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1)) {
            try {
                post(vertx, version, port, certFile, path, body, connections, requestsPerConnection);
            } catch (IOException e) {
                failures.add(e.getMessage());
            }
        }
        return failures;
    }

    private static void post(Vertx vertx, HttpVersion version, int port, String certFile, String path, byte[] body,
                             int connections, int requestsPerConnection) throws IOException {
        {
            HttpClientOptions options = new HttpClientOptions().setSsl(true).setVerifyHost(false)
                    .setTrustOptions(new PemTrustOptions().addCertPath(certFile))
                    .setProtocolVersion(version).setUseAlpn(version == HttpVersion.HTTP_2)
                    .setDefaultHost("127.0.0.1").setDefaultPort(port)
                    .setMaxPoolSize(connections).setHttp2MaxPoolSize(connections);
            HttpClient client = vertx.createHttpClient(options);
            try {
                Buffer payload = Buffer.buffer(body);
                // HTTP/2 multiplexes: several streams per connection at once, as the API server sends them (and the
                // warm-up takes an eighth of the round trips); HTTP/1.1 has one request per connection at a time.
                int perWave = version == HttpVersion.HTTP_2 ? connections * STREAMS_PER_CONNECTION : connections;
                int total = connections * requestsPerConnection;
                for (int sent = 0; sent < total; sent += perWave) {
                    int n = Math.min(perWave, total - sent);
                    List<Future<Integer>> batch = new ArrayList<>(n);
                    for (int c = 0; c < n; c++) {
                        batch.add(client.request(HttpMethod.POST, path)
                                .compose(req -> req.putHeader("Content-Type", "application/json").send(payload))
                                .compose(resp -> resp.body().map(b -> resp.statusCode())));
                    }
                    for (Future<Integer> f : batch) {
                        int status = f.toCompletionStage().toCompletableFuture().get(3, TimeUnit.SECONDS);
                        if (status != 200) {
                            throw new IOException("warm-up request over " + version + " answered " + status);
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("warm-up interrupted", e);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IOException("warm-up request over " + version + " failed: " + e, e);
            } finally {
                client.close();
            }
        }
    }
}

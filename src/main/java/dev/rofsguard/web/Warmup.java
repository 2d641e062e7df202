package dev.rofsguard.web;

import dev.rofsguard.policy.Mode;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.health.api.AsyncHealthCheck;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * Before reporting ready, runs sample reviews through the whole path (engine in-process, then over HTTPS to
 * ourselves) so that class loading, JIT and the first TLS handshake do not land on a real admission: an API
 * server with a short timeout would otherwise fail admissions during every rollout.
 */
@ApplicationScoped
public class Warmup {

    private static final Logger LOG = Logger.getLogger(Warmup.class);
    /** The uid of the warm-up's own review: not hexadecimal, so no API server ever sends it. */
    public static final String UID = "00000000-0000-4000-8000-00000000warm";

    private static final List<String> SAMPLES = List.of("pod-compliant.json", "pod-create-by-replicaset.json",
            "deployment-create.json", "pod-ephemeral-update.json", "pod-update-finalizer.json");

    @Inject
    Admissions admissions;

    @Inject
    io.vertx.core.Vertx vertx;

    /** Engine rounds over the samples unless configured; also what {@code Main} starts the early half with. */
    public static final String DEFAULT_ROUNDS = "200";

    @ConfigProperty(name = "rofs-guard.warmup.iterations", defaultValue = DEFAULT_ROUNDS)
    int iterations;

    /**
     * Many connections: Go's transport (the API server's) dials one connection per request in flight until it has
     * one (~120 at 2,000 req/s), so a replica's first second under load is a burst of TLS handshakes, whose key
     * exchange and signature the JDK does in Java. dev/cold-takeover.sh's slowest answer in that second: 4 × 250,
     * 1.1-2.0 s; 32 × 32, 0.5-1.2 s (three runs each); 32 × 256, 0.3-0.5 s (two runs; ready 8 s instead of 5).
     */
    @ConfigProperty(name = "rofs-guard.warmup.https-connections", defaultValue = "32")
    int httpsConnections;

    @ConfigProperty(name = "rofs-guard.warmup.https-requests-per-connection", defaultValue = "256")
    int httpsRequestsPerConnection;

    @ConfigProperty(name = "rofs-guard.tls.cert-file")
    String certFile;

    private volatile boolean done;

    void onStart(@Observes StartupEvent event) {
        org.eclipse.microprofile.config.Config config = org.eclipse.microprofile.config.ConfigProvider.getConfig();
        String portKey = LaunchMode.current() == LaunchMode.TEST ? "quarkus.http.test-ssl-port" : "quarkus.http.ssl-port";
        int port = config.getOptionalValue(portKey, Integer.class).orElse(8443);
        Thread t = new Thread(() -> run(port), "rofs-guard-warmup");
        t.setDaemon(true);
        t.start();
    }

    /** The engine half, started by {@link #startEarly} before Quarkus boots, or null (tests boot without it). */
    private static volatile Thread early;

    /**
     * Starts the engine half of the warm-up at once, beside Quarkus' boot (which keeps one core busy and leaves the
     * other idle on a small node): the built-in policy, not the configured one, since the configuration is not read
     * yet, and the code it warms (engine, catalog, JSON) is the same. The server's own warm-up then waits for it.
     *
     * @param iterations rounds over the samples ({@code rofs-guard.warmup.iterations})
     */
    public static void startEarly(int iterations) {
        Thread t = new Thread(() -> {
            try {
                dev.rofsguard.engine.Judge judge = new dev.rofsguard.engine.Judge(dev.rofsguard.config.PolicyLoader.load(null, null));
                engine(new dev.rofsguard.admission.ValidatingAdmission(() -> judge), samples(), iterations);
            } catch (Exception | LinkageError e) {
                LOG.warnf("early warm-up incomplete (%s)", e.toString()); // an optimisation: the server's warm-up still runs
            }
        }, "rofs-guard-warmup-engine");
        t.setDaemon(true);
        early = t;
        t.start();
    }

    private static List<byte[]> samples() throws IOException {
        List<byte[]> samples = new ArrayList<>();
        for (String name : SAMPLES) {
            try (InputStream in = Warmup.class.getResourceAsStream("/warmup/" + name)) {
                samples.add(in.readAllBytes());
            }
        }
        samples.add("{\"apiVersion\":\"admission.k8s.io/v1\"".getBytes()); // the error path too
        return samples;
    }

    private static void engine(dev.rofsguard.admission.ValidatingAdmission admission, List<byte[]> samples, int iterations) {
        for (int i = 0; i < iterations; i++) {
            for (byte[] s : samples) {
                admission.validate(s, Mode.values()[i % Mode.values().length], true);
            }
        }
    }

    void run(int port) {
        long start = System.nanoTime();
        try {
            List<byte[]> samples = samples();
            // The HTTPS half (the transport's cold path, now the larger part) runs on a thread of its own while this
            // one finishes the engine half; one after the other cost about 0.5 s more to ready (dev/start-bench.sh).
            java.util.concurrent.CompletableFuture<List<String>> https = java.util.concurrent.CompletableFuture.completedFuture(List.of());
            if (port > 0 && httpsConnections > 0) {
                // A compliant pod: warms the same path without writing decision log lines.
                byte[] compliant = samples.get(0);
                https = java.util.concurrent.CompletableFuture.supplyAsync(() -> awaitListening(port)
                        ? SelfProbe.post(vertx, port, certFile, "/validate", compliant, httpsConnections, httpsRequestsPerConnection)
                        : List.of("the HTTPS port did not listen within 30 s"), r -> {
                            Thread t = new Thread(r, "rofs-guard-warmup-https");
                            t.setDaemon(true);
                            t.start();
                        });
            }
            Thread engineHalf = early;
            if (engineHalf != null) {
                engineHalf.join(TimeUnit.SECONDS.toMillis(60));
                engine(admissions.validating(), samples, Math.min(iterations, 5)); // the configured policy's path once too
            } else {
                engine(admissions.validating(), samples, iterations);
            }
            long inProcess = System.nanoTime();
            https.join().forEach(f -> LOG.warnf("warm-up over HTTPS incomplete: %s", f));
            LOG.infof("warm-up done in %d ms after start-up (engine %d ms more, over HTTPS alongside it)", (System.nanoTime() - start) / 1_000_000,
                    (inProcess - start) / 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            // Warm-up is an optimisation: never a reason not to serve.
            LOG.warnf("warm-up incomplete (%s); serving anyway", e.toString());
        } finally {
            done = true;
            // A class-data-sharing training run (the image build): start, warm up, exit, so that
            // -XX:ArchiveClassesAtExit archives every class the start and the warm-up loaded.
            if (Boolean.getBoolean("rofs-guard.warmup.exit")) {
                io.quarkus.runtime.Quarkus.asyncExit(0);
            }
        }
    }

    /**
     * Start-up events can come before the HTTPS port listens, and a refused probe warms nothing: wait (bounded) until
     * it accepts a connection.
     */
    private static boolean awaitListening(int port) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 1000);
                return true;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return false;
    }

    public boolean done() {
        return done;
    }

    @Readiness
    @ApplicationScoped
    public static class Ready implements AsyncHealthCheck {

        @Inject
        Warmup warmup;

        @Inject
        PolicyHolder policy;

        @Override
        public io.smallrye.mutiny.Uni<HealthCheckResponse> call() {
            boolean up = warmup.done() && policy.current() != null;
            return io.smallrye.mutiny.Uni.createFrom().item(HealthCheckResponse.named("rofs-guard")
                    .status(up).withData("warmup", warmup.done() ? "done" : "running").build());
        }
    }
}

package dev.rofsguard.web;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.JdkSSLEngineOptions;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * TLS handshakes run their key exchange and signature on Vert.x's worker pool, not on the event loop (Vert.x does the
 * latter by default). A burst of new connections (a rollout of the API servers, or a connection flood) costs a few
 * milliseconds of CPU per handshake; on the event loop that queues every request and health probe behind it. That
 * pool has two threads (application.properties), so a burst of handshakes cannot crowd out the requests either.
 */
@ApplicationScoped
public class TlsHandshakesOffEventLoop implements HttpServerOptionsCustomizer {

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "rofs-guard.tls.handshake-on-worker", defaultValue = "true")
    boolean enabled;

    @Override
    public void customizeHttpsServer(HttpServerOptions options) {
        if (!enabled) {
            return;
        }
        JdkSSLEngineOptions engine = options.getJdkSslEngineOptions() != null ? options.getJdkSslEngineOptions().copy()
                : new JdkSSLEngineOptions();
        engine.setUseWorkerThread(true);
        options.setJdkSslEngineOptions(engine);
    }
}

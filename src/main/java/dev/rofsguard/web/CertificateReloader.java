package dev.rofsguard.web;

import dev.rofsguard.tls.PemFiles;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import io.quarkus.tls.CertificateUpdatedEvent;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Re-reads the serving certificate and key (cert-manager, the built-in controller and kubelet replace them in place)
 * and hands a new pair to the HTTPS server only when the key matches the certificate: files written one after the
 * other (certificate now, key later) would otherwise install a mismatched pair and fail every handshake until the
 * second file lands. Every reload and every refusal is logged and counted. Replaces Quarkus' own reload-period,
 * which installs whatever it reads.
 */
@Startup
@ApplicationScoped
public class CertificateReloader {

    static final String TLS_CONFIGURATION = "admission";
    private static final Logger LOG = Logger.getLogger(CertificateReloader.class);

    @ConfigProperty(name = "rofs-guard.tls.cert-file")
    String certFile;

    @ConfigProperty(name = "rofs-guard.tls.key-file")
    String keyFile;

    @ConfigProperty(name = "rofs-guard.tls.reload-period", defaultValue = "1m")
    Duration period;

    @Inject
    TlsConfigurationRegistry registry;

    @Inject
    Event<CertificateUpdatedEvent> updated;

    @Inject
    MeterRegistry meters;

    private volatile byte[] lastSeen;
    private ScheduledExecutorService timer;

    @PostConstruct
    void start() {
        lastSeen = contentHash();
        String problem = mismatch(configuration().getKeyStore());
        if (problem != null) {
            // Fail closed at start: a server that cannot complete a handshake is worse than one that is not ready.
            throw new IllegalStateException("rofs-guard cannot start: serving certificate " + certFile + " and key " + keyFile
                    + " do not make a pair: " + problem);
        }
        LOG.infof("serving certificate loaded: %s", describe(configuration().getKeyStore()));
        if (!period.isZero()) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "rofs-guard-tls-reload");
                t.setDaemon(true);
                return t;
            });
            timer.scheduleWithFixedDelay(this::reloadIfChanged, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    /** Runs off the event loop (file I/O). Returns true when a new pair was installed. */
    public synchronized boolean reloadIfChanged() {
        byte[] now = contentHash();
        if (now == null || Arrays.equals(now, lastSeen)) {
            return false;
        }
        lastSeen = now;
        TlsConfiguration config = configuration();
        try {
            config.reload();
        } catch (RuntimeException e) {
            refuse("the files could not be read as a certificate and key: " + e.getMessage());
            return false;
        }
        // Check what was actually loaded, not the files: they may have changed again in between.
        KeyStore loaded = config.getKeyStore();
        String problem = mismatch(loaded);
        if (problem != null) {
            refuse(problem);
            return false;
        }
        updated.fire(new CertificateUpdatedEvent(TLS_CONFIGURATION, config));
        LOG.infof("serving certificate reloaded: %s", describe(loaded));
        meters.counter("rofs_guard_certificate_reloads", "result", "reloaded").increment();
        return true;
    }

    private void refuse(String why) {
        LOG.errorf("serving certificate reload refused, the previous pair stays in use (retried when %s or %s changes): %s",
                certFile, keyFile, why);
        meters.counter("rofs_guard_certificate_reloads", "result", "refused").increment();
    }

    private TlsConfiguration configuration() {
        return registry.get(TLS_CONFIGURATION).orElseThrow(() -> new IllegalStateException("no TLS configuration " + TLS_CONFIGURATION));
    }

    /** Null when the key store holds a key whose certificate is its own; otherwise why not. */
    static String mismatch(KeyStore store) {
        try {
            if (store == null) {
                return "no key store";
            }
            for (String alias : Collections.list(store.aliases())) {
                if (!store.isKeyEntry(alias)) {
                    continue;
                }
                Certificate[] chain = store.getCertificateChain(alias);
                if (chain == null || chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
                    return "no certificate beside the key";
                }
                // Vert.x builds PEM key stores with its fixed dummy password.
                PrivateKey key = (PrivateKey) store.getKey(alias, io.vertx.core.net.impl.KeyStoreHelper.DUMMY_PASSWORD.toCharArray());
                if (!PemFiles.keyMatches(key, leaf)) {
                    return "the private key does not belong to the certificate " + leaf.getSubjectX500Principal()
                            + " (serial " + leaf.getSerialNumber().toString(16) + ")";
                }
            }
            return store.size() == 0 ? "empty key store" : null;
        } catch (Exception e) {
            return "the key store cannot be read: " + e.getMessage();
        }
    }

    private static String describe(KeyStore store) {
        try {
            for (String alias : Collections.list(store.aliases())) {
                if (store.getCertificate(alias) instanceof X509Certificate c) {
                    return c.getSubjectX500Principal() + ", serial " + c.getSerialNumber().toString(16) + ", valid until " + c.getNotAfter().toInstant();
                }
            }
        } catch (Exception e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
        return "(no certificate)";
    }

    private byte[] contentHash() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(Files.readAllBytes(Path.of(certFile)));
            sha.update(Files.readAllBytes(Path.of(keyFile)));
            return sha.digest();
        } catch (Exception e) {
            LOG.warnf("serving certificate files cannot be read, the previous pair stays in use: %s", e.toString());
            return null;
        }
    }
}

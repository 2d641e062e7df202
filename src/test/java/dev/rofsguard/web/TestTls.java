package dev.rofsguard.web;

import dev.rofsguard.tls.TlsBootstrap;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.Map;

/** Real certificates for the tests: a fresh CA and a serving certificate for localhost / 127.0.0.1. */
public class TestTls implements QuarkusTestResourceLifecycleManager {

    static Path dir;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("rofs-guard-test-tls-");
            TlsBootstrap.generate(dir, List.of("localhost"), List.of("127.0.0.1"));
            Path policy = dir.resolve("policy.yaml");
            Files.writeString(policy, "exemptions:\n  annotation:\n    namespaces: [shop]\n");
            return Map.of(
                    "rofs-guard.tls.cert-file", dir.resolve("tls.crt").toString(),
                    "rofs-guard.tls.key-file", dir.resolve("tls.key").toString(),
                    "rofs-guard.tls.reload-period", "1s",
                    "rofs-guard.policy-file", policy.toString(),
                    "rofs-guard.namespace", "rofs-guard");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
    }

    /** A trust store holding only the test CA. */
    static KeyStore trustStore() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(dir.resolve("ca.crt"))) {
            Certificate ca = CertificateFactory.getInstance("X.509").generateCertificate(in);
            ks.setCertificateEntry("ca", ca);
        }
        return ks;
    }

    /** A new CA and serving pair in a directory of its own (not yet installed). */
    static Path nextPair() throws Exception {
        Path next = Files.createTempDirectory("rofs-guard-test-tls-next-");
        TlsBootstrap.generate(next, List.of("localhost"), List.of("127.0.0.1"));
        return next;
    }

    static void rotate() throws IOException {
        try {
            Path next = Files.createTempDirectory("rofs-guard-test-tls-next-");
            TlsBootstrap.generate(next, List.of("localhost"), List.of("127.0.0.1"));
            // Same CA file is not reused on purpose: the tests then trust the new CA explicitly.
            Files.copy(next.resolve("tls.key"), dir.resolve("tls.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.copy(next.resolve("tls.crt"), dir.resolve("tls.crt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.copy(next.resolve("ca.crt"), dir.resolve("ca.crt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
    }
}

package dev.rofsguard.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * With no serving certificate configured, makes a throw-away CA and a certificate for localhost so that the
 * Quickstart needs no set-up. Runs in {@code main} before Quarkus reads its configuration.
 */
public final class TlsBootstrap {

    public static final String CERT_PROPERTY = "rofs-guard.tls.cert-file";
    public static final String KEY_PROPERTY = "rofs-guard.tls.key-file";

    private TlsBootstrap() {
    }

    /** Sets the certificate properties to generated files unless configured; returns the CA file, or null. */
    public static Path ensureServingCertificate() throws IOException, GeneralSecurityException {
        if (configured(CERT_PROPERTY) && configured(KEY_PROPERTY)) {
            return null;
        }
        Path dir = Files.createTempDirectory("rofs-guard-tls-");
        List<String> dns = new ArrayList<>(List.of("localhost"));
        String extra = value("rofs-guard.tls.self-signed-dns");
        if (extra != null) {
            for (String d : extra.split(",")) {
                if (!d.isBlank()) {
                    dns.add(d.trim());
                }
            }
        }
        Path ca = generate(dir, dns, List.of("127.0.0.1", "::1"));
        System.setProperty(CERT_PROPERTY, dir.resolve("tls.crt").toString());
        System.setProperty(KEY_PROPERTY, dir.resolve("tls.key").toString());
        return ca;
    }

    /** Writes ca.crt, tls.crt and tls.key into dir; returns the CA certificate's path. */
    public static Path generate(Path dir, List<String> dnsNames, List<String> ips) throws IOException, GeneralSecurityException {
        CertificateAuthority ca = CertificateAuthority.create("rofs-guard self-signed CA", Duration.ofDays(365));
        ca.issue("rofs-guard", dnsNames, ips, Duration.ofDays(365)).write(dir);
        Path caFile = dir.resolve("ca.crt");
        ca.writeCertificate(caFile);
        return caFile;
    }

    private static boolean configured(String property) {
        String v = value(property);
        return v != null && !v.isBlank();
    }

    /** A system property, or its environment form (ROFS_GUARD_TLS_CERT_FILE), as MicroProfile Config maps it. */
    private static String value(String property) {
        String v = System.getProperty(property);
        if (v == null) {
            v = System.getenv(property.toUpperCase().replaceAll("[^A-Z0-9]", "_"));
        }
        return v;
    }
}

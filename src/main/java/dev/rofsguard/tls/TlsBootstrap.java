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

    /**
     * {@code rofs-guard.certificates.mode=builtIn}: the built-in controller keeps the certificate in Secrets and the
     * webhook configurations' caBundle up to date; the server reads the files it writes under the temp directory.
     * Returns true when the controller is in charge.
     */
    public static boolean startBuiltInController() throws IOException, GeneralSecurityException {
        if (!"builtIn".equals(value("rofs-guard.certificates.mode"))) {
            return false;
        }
        String namespace = value("rofs-guard.namespace");
        if (namespace == null || namespace.isBlank()) {
            throw new IllegalStateException("rofs-guard.certificates.mode=builtIn needs rofs-guard.namespace (ROFS_GUARD_NAMESPACE)");
        }
        String release = value("rofs-guard.release") != null ? value("rofs-guard.release") : "rofs-guard";
        io.fabric8.kubernetes.client.KubernetesClient client = new io.fabric8.kubernetes.client.KubernetesClientBuilder().build();
        CertificateController controller = new CertificateController(client, namespace, release, CertificateController.SERVING_VALIDITY);
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "rofs-guard-tls");
        controller.reconcile().write(dir);
        System.setProperty(CERT_PROPERTY, dir.resolve("tls.crt").toString());
        System.setProperty(KEY_PROPERTY, dir.resolve("tls.key").toString());
        java.util.concurrent.ScheduledExecutorService renew = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "rofs-guard-certificates");
            t.setDaemon(true);
            return t;
        });
        // Each replica checks hourly; the files it writes are re-read by the server (rofs-guard.tls.reload-period).
        renew.scheduleWithFixedDelay(() -> {
            try {
                CertificateController.Material m = controller.reconcile();
                m.write(dir);
                if (m.renewed()) {
                    System.err.println("rofs-guard: serving certificate renewed by the built-in controller");
                }
            } catch (Exception e) {
                System.err.println("rofs-guard: certificate check failed, will retry: " + e);
            }
        }, 1, 1, java.util.concurrent.TimeUnit.HOURS);
        return true;
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

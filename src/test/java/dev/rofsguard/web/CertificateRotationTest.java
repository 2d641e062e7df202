package dev.rofsguard.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.HttpsURLConnection;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** cert-manager rotates the mounted files in place: new connections must get the new certificate, no restart. */
@QuarkusTest
@QuarkusTestResource(TestTls.class)
class CertificateRotationTest {

    @Test
    void rotatedFilesAreServedWithoutARestart() throws Exception {
        BigInteger before = servedSerial();
        TestTls.rotate();
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300)).ignoreExceptions()
                .until(() -> !servedSerial().equals(before));
    }

    /**
     * A writer that replaces the certificate first and the key later (not atomically as a pair) must not install the
     * mismatched pair: the old pair keeps being served, the refusal is logged and counted, and the matching key
     * completes the rotation.
     */
    @Test
    void aCertificateWithoutItsKeyIsNotInstalled() throws Exception {
        Awaitility.await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> servedSerial() != null);
        BigInteger before = servedSerial();
        double refusedBefore = reloads("refused");
        java.nio.file.Path next = TestTls.nextPair();
        java.nio.file.Files.copy(next.resolve("tls.crt"), TestTls.dir.resolve("tls.crt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300)).until(() -> reloads("refused") > refusedBefore);
        assertThat(servedSerial()).as("the old, matching pair is still served").isEqualTo(before);

        java.nio.file.Files.copy(next.resolve("tls.key"), TestTls.dir.resolve("tls.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        java.nio.file.Files.copy(next.resolve("ca.crt"), TestTls.dir.resolve("ca.crt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300)).ignoreExceptions()
                .until(() -> !servedSerial().equals(before));
    }

    @jakarta.inject.Inject
    io.micrometer.core.instrument.MeterRegistry registry;

    private double reloads(String result) {
        var c = registry.find("rofs_guard_certificate_reloads").tag("result", result).counter();
        return c == null ? 0 : c.count();
    }

    private static BigInteger servedSerial() throws Exception {
        HttpsURLConnection c = AdmissionEndpointsTest.connection("/q/none");
        try {
            c.connect();
            return ((X509Certificate) c.getServerCertificates()[0]).getSerialNumber();
        } finally {
            c.disconnect();
        }
    }
}

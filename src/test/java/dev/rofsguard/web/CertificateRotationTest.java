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

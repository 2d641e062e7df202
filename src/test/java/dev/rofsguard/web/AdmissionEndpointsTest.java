package dev.rofsguard.web;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import dev.rofsguard.Fixtures;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.config.RestAssuredConfig;
import io.restassured.config.SSLConfig;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URL;
import java.security.cert.X509Certificate;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/** The door over real HTTPS: a certificate chain the client verifies (only the test CA is trusted, names checked). */
@QuarkusTest
@QuarkusTestResource(TestTls.class)
class AdmissionEndpointsTest {

    static final String BASE = "https://localhost:8444";

    private RequestSpecification https() throws Exception {
        return given().config(RestAssuredConfig.config().sslConfig(SSLConfig.sslConfig().trustStore(TestTls.trustStore())))
                .baseUri(BASE).contentType("application/json");
    }

    private ValidatableResponse post(String path, byte[] body) throws Exception {
        return https().body(body).post(path).then();
    }

    @Test
    void enforceDeniesWith403AndNamesTheContainer() throws Exception {
        post("/validate", Fixtures.review("pod-create-by-replicaset.json")).statusCode(200)
                .body("apiVersion", equalTo("admission.k8s.io/v1"))
                .body("kind", equalTo("AdmissionReview"))
                .body("response.uid", equalTo("3f6c2f1e-8a7d-4c1b-9a55-0c2d9e1b7a01"))
                .body("response.allowed", equalTo(false))
                .body("response.status.code", equalTo(403))
                .body("response.status.message", containsString("containers \"nginx\""))
                .body("response.status.message", containsString("web-7d9c8b6f5d-*"))
                .body("response.auditAnnotations.mode", equalTo("enforce"));
    }

    @Test
    void compliantPodIsAllowed() throws Exception {
        post("/validate/enforce", Fixtures.review("pod-create-compliant.json")).statusCode(200)
                .body("response.allowed", equalTo(true))
                .body("response.auditAnnotations.outcome", equalTo("pass"));
    }

    @Test
    void warnAllowsWithAWarningPerContainer() throws Exception {
        post("/validate/warn", Fixtures.review("pod-create-two-bad-containers.json")).statusCode(200)
                .body("response.allowed", equalTo(true))
                .body("response.warnings.size()", equalTo(2))
                .body("response.warnings[0]", containsString("containers \"api\""))
                .body("response.warnings[1]", containsString("containers \"sidecar\""))
                .body("response.auditAnnotations.mode", equalTo("warn"));
    }

    @Test
    void auditAllowsWithAuditAnnotations() throws Exception {
        post("/validate/audit", Fixtures.review("pod-create-by-replicaset.json")).statusCode(200)
                .body("response.allowed", equalTo(true))
                .body("response", not(org.hamcrest.Matchers.hasKey("warnings")))
                .body("response.auditAnnotations.mode", equalTo("audit"))
                .body("response.auditAnnotations.outcome", equalTo("fail"))
                .body("response.auditAnnotations.violations", equalTo("containers/nginx"))
                .body("response.auditAnnotations.would-deny", equalTo("true"));
    }

    @Test
    void configuredPolicyIsInForce() throws Exception {
        // The test policy honours the exemption annotation in namespace shop; the webhook's namespace is exempt.
        post("/validate", Fixtures.review("pod-create-exempt-annotation.json")).statusCode(200)
                .body("response.allowed", equalTo(true))
                .body("response.warnings", hasItem(containsString("exempt by annotation: JIRA-123")));
    }

    @Test
    void unknownKindIsAllowed() throws Exception {
        post("/validate", Fixtures.review("configmap-create.json")).statusCode(200).body("response.allowed", equalTo(true));
    }

    @Test
    void badInputGetsAJsonStatusNeverAStackTrace() throws Exception {
        post("/validate", "{not json".getBytes()).statusCode(400).body("kind", equalTo("Status"))
                .body("message", containsString("not valid JSON"));
        post("/validate", "[]".getBytes()).statusCode(400).body("message", containsString("JSON array"));
        post("/validate", "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"}".getBytes()).statusCode(400)
                .body("message", containsString("no request object"));
        post("/validate", "{\"apiVersion\":\"admission.k8s.io/v1beta1\",\"kind\":\"AdmissionReview\",\"request\":{}}".getBytes())
                .statusCode(400).body("message", containsString("admissionReviewVersions: [v1]"));
        post("/validate", new byte[0]).statusCode(400).body("kind", equalTo("Status"));
    }

    @Test
    void aBodyOverTheLimitIs413() throws Exception {
        byte[] big = new byte[10 * 1024 * 1024];
        java.util.Arrays.fill(big, (byte) ' ');
        post("/validate", big).statusCode(413).body("kind", equalTo("Status")).body("message", containsString("over the limit"));
    }

    @Test
    void aChunkedBodyOverTheLimitIsRefusedToo() throws Exception {
        HttpsURLConnection c = connection("/validate");
        c.setDoOutput(true);
        c.setRequestMethod("POST");
        c.setRequestProperty("Content-Type", "application/json");
        c.setChunkedStreamingMode(64 * 1024);
        try (OutputStream out = c.getOutputStream()) {
            byte[] chunk = new byte[64 * 1024];
            java.util.Arrays.fill(chunk, (byte) ' ');
            for (int i = 0; i < 120; i++) { // 7.5 MiB, over the 7 MiB limit
                out.write(chunk);
            }
        } catch (java.io.IOException closedEarly) {
            // the server may close the connection before we finish writing: also a refusal
        }
        assertThat(c.getResponseCode()).isEqualTo(413);
    }

    @Test
    void aChunkedReviewWithoutAContentLengthIsAnswered() throws Exception {
        // No length to size the body by: it grows as it comes, in chunks smaller and larger than its first array.
        byte[] review = Fixtures.review("pod-create-by-replicaset.json");
        byte[] padded = new byte[review.length + 100_000];
        java.util.Arrays.fill(padded, (byte) ' ');
        System.arraycopy(review, 0, padded, 0, review.length);
        HttpsURLConnection c = connection("/validate/enforce");
        c.setDoOutput(true);
        c.setRequestMethod("POST");
        c.setRequestProperty("Content-Type", "application/json");
        c.setChunkedStreamingMode(3_000);
        try (OutputStream out = c.getOutputStream()) {
            out.write(padded);
        }
        assertThat(c.getResponseCode()).isEqualTo(200);
        assertThat(new String(c.getInputStream().readAllBytes())).contains("\"allowed\":false").contains("nginx");
    }

    @Test
    void wrongMethodContentTypeOrModeAreClear4xx() throws Exception {
        https().get("/validate").then().statusCode(405).body("kind", equalTo("Status"));
        https().contentType("text/plain").body("x").post("/validate").then().statusCode(415)
                .body("message", containsString("application/json"));
        post("/validate/strict", Fixtures.review("pod-create-compliant.json")).statusCode(404)
                .body("message", containsString("/validate/enforce"));
    }

    @Test
    void theChainIsVerifiedAndNamesLocalhostAnd127001() throws Exception {
        HttpsURLConnection c = connection("/validate");
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setRequestProperty("Content-Type", "application/json");
        c.getOutputStream().write(Fixtures.review("pod-create-compliant.json"));
        assertThat(c.getResponseCode()).isEqualTo(200);
        X509Certificate leaf = (X509Certificate) c.getServerCertificates()[0];
        assertThat(leaf.getSubjectAlternativeNames().stream().map(l -> String.valueOf(l.get(1))).toList()).contains("localhost", "127.0.0.1");
        assertThat(leaf.getIssuerX500Principal().getName()).contains("rofs-guard self-signed CA");

        // A client that does not trust our CA must fail the handshake: the chain is really checked.
        HttpsURLConnection untrusted = (HttpsURLConnection) new URL(BASE + "/validate").openConnection();
        assertThatThrownBy(untrusted::connect).isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void noPlainHttpOnTheAdmissionPort() throws Exception {
        // Plain HTTP to the TLS port is not answered as HTTP; and nothing listens on the default plain port.
        try (Socket s = new Socket("127.0.0.1", 8444)) {
            s.setSoTimeout(5000);
            s.getOutputStream().write("POST /validate HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n".getBytes());
            byte[] buf = new byte[16];
            int n = s.getInputStream().read(buf);
            assertThat(n <= 0 || !new String(buf, 0, n).startsWith("HTTP/1.1 200")).isTrue();
        } catch (java.net.SocketException reset) {
            // connection reset: also not served
        }
        assertThatThrownBy(() -> new Socket("127.0.0.1", 8081).close()).isInstanceOf(ConnectException.class);
    }

    static HttpsURLConnection connection(String path) throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(TestTls.trustStore());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        HttpsURLConnection c = (HttpsURLConnection) new URL(BASE + path).openConnection();
        c.setSSLSocketFactory(ctx.getSocketFactory());
        return c;
    }
}

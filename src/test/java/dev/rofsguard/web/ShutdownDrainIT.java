package dev.rofsguard.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rofsguard.Fixtures;
import dev.rofsguard.tls.TlsBootstrap;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rolling updates must not fail admissions: after SIGTERM the packaged server keeps answering through the shutdown
 * delay and reports not ready; HTTP/1.1 answers carry Connection: close (so the API server drops its pooled
 * connection), HTTP/2 answers never do (RFC 9113 §8.2.2: GOAWAY does that job). The full rollout under load is
 * dev.rofsguard.heavy.RolloutHeavyIT.
 */
class ShutdownDrainIT {

    @Test
    void keepsAnsweringWithConnectionCloseDuringTheShutdownDelay(@TempDir Path dir) throws Exception {
        Path ca = TlsBootstrap.generate(dir, List.of("localhost"), List.of("127.0.0.1"));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Drofs-guard.tls.cert-file=" + dir.resolve("tls.crt"), "-Drofs-guard.tls.key-file=" + dir.resolve("tls.key"),
                "-Dquarkus.http.ssl-port=28443", "-Dquarkus.management.port=29000", "-Drofs-guard.shutdown.delay=4s",
                "-jar", "target/quarkus-app/quarkus-run.jar")
                .redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (status("http://127.0.0.1:29000/q/health/ready") != 200) {
                assertThat(System.nanoTime()).as(Files.readString(dir.resolve("server.log"))).isLessThan(deadline);
                Thread.sleep(100);
            }
            java.net.http.HttpClient h2 = http2(ca);
            java.net.http.HttpResponse<String> h2before = postHttp2(h2);
            assertThat(h2before.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_2);
            HttpsURLConnection before = post(ca);
            assertThat(before.getResponseCode()).isEqualTo(200);
            assertThat(before.getHeaderField("Connection")).isNotEqualToIgnoringCase("close");

            p.destroy(); // SIGTERM
            Thread.sleep(500);
            HttpsURLConnection during = post(ca);
            assertThat(during.getResponseCode()).isEqualTo(200);
            assertThat(during.getHeaderField("Connection")).isEqualToIgnoringCase("close");
            assertThat(status("http://127.0.0.1:29000/q/health/ready")).isEqualTo(503);
            // HTTP/2 during the delay, on a connection opened during it: answered, without a connection-specific
            // header (then GOAWAY). A new client each time: Java 17's HttpClient fails every stream of a connection
            // that received GOAWAY (JDK-8335181), which Go's client (the API server's) does not.
            java.net.http.HttpResponse<String> h2during = postHttp2(http2(ca));
            assertThat(h2during.statusCode()).isEqualTo(200);
            assertThat(h2during.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_2);
            assertThat(h2during.headers().firstValue("connection")).isEmpty();

            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.readString(dir.resolve("server.log"))).contains("shutdown delay started")
                    .containsPattern("GOAWAY sent on [1-9][0-9]* HTTP/2 connections"); // ours, and the warm-up's if not yet collected
        } finally {
            p.destroyForcibly();
        }
    }

    private static int status(String url) {
        try {
            HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
            c.setConnectTimeout(1000);
            return c.getResponseCode();
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    private static java.net.http.HttpClient http2(Path ca) throws Exception {
        return java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_2).sslContext(context(ca)).build();
    }

    private static java.net.http.HttpResponse<String> postHttp2(java.net.http.HttpClient client) throws Exception {
        return client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("https://127.0.0.1:28443/validate"))
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(Fixtures.review("pod-create-compliant.json"))).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    private static SSLContext context(Path ca) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(ca)) {
            ks.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    private static HttpsURLConnection post(Path ca) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(ca)) {
            ks.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        HttpsURLConnection c = (HttpsURLConnection) new URL("https://127.0.0.1:28443/validate").openConnection();
        c.setSSLSocketFactory(ctx.getSocketFactory());
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setRequestProperty("Content-Type", "application/json");
        try (OutputStream out = c.getOutputStream()) {
            out.write(Fixtures.review("pod-create-compliant.json"));
        }
        return c;
    }
}

package dev.rofsguard.containers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The project's own image, built by `podman build` from the Dockerfile on a locally made Debian JRE base (the
 * packaged app of ./mvnw package), runs as Kubernetes would run it hardened: read-only root, a tmpfs at /tmp only,
 * a non-root UID, no capabilities, no privilege escalation. It becomes ready, answers an AdmissionReview over
 * HTTPS, and a writable run shows it writes nothing outside /tmp.
 */
class OwnImageInPodman {

    static final String IMAGE = "localhost/rofs-guard:containers-test";
    // --passwd=false: podman would otherwise add a line for UID 65532 to /etc/passwd and /etc/group (Kubernetes does not).
    static final List<String> HARDENED = List.of("--tmpfs", "/tmp:rw,nosuid,nodev,size=64m", "--user", "65532",
            "--cap-drop", "ALL", "--security-opt", "no-new-privileges", "--passwd=false");
    // Mount points and files the engine itself adds to every container (not the app's writes).
    static final Set<String> ENGINE_MADE = Set.of("/etc", "/etc/hosts", "/etc/hostname", "/etc/resolv.conf", "/run",
            "/run/.containerenv", "/certs");

    static Podman podman;
    static Path certs;

    @BeforeAll
    static void build() throws Exception {
        podman = Podman.get();
        assertThat(Path.of("target/quarkus-app/quarkus-run.jar")).as("run ./mvnw package first").exists();
        Podman.Result built = podman.exec(1800, List.of("podman", "--runtime", "runc", "build", "--build-arg",
                "RUNTIME_IMAGE=" + Podman.JRE, "--build-arg", "APP=prebuilt", "-t", IMAGE, "."));
        assertThat(built.exitCode()).as(built.stderr() + built.stdout()).isZero();
        // The serving certificate, mounted read-only as a Secret would be.
        certs = Files.createTempDirectory("rofs-guard-certs");
        Podman.Result cert = podman.exec(60, List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:P-256", "-nodes", "-days", "1", "-subj", "/CN=localhost", "-addext",
                "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", certs.resolve("tls.key").toString(),
                "-out", certs.resolve("tls.crt").toString()));
        assertThat(cert.exitCode()).as(cert.stderr()).isZero();
        Files.setPosixFilePermissions(certs, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(certs.resolve("tls.key"), PosixFilePermissions.fromString("rw-r--r--"));
    }

    @AfterAll
    static void clean() throws Exception {
        if (certs != null) {
            try (var files = Files.list(certs)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(certs);
        }
    }

    private record Started(String id, int https, int management) {
    }

    private Started start(boolean readOnly) {
        int https = Podman.freePort();
        int management = Podman.freePort();
        List<String> flags = new ArrayList<>(HARDENED);
        flags.addAll(List.of("-v", certs + ":/certs:ro", "-e", "ROFS_GUARD_TLS_CERT_FILE=/certs/tls.crt",
                "-e", "ROFS_GUARD_TLS_KEY_FILE=/certs/tls.key",
                "-p", "127.0.0.1:" + https + ":8443", "-p", "127.0.0.1:" + management + ":9000"));
        String id = readOnly ? podman.runReadOnly(flags, IMAGE) : podman.runWritable(flags, IMAGE);
        return new Started(id, https, management);
    }

    private static void awaitReady(Started s) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long until = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < until) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.management() + "/q/health/ready"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException e) {
                // not listening yet
            }
            if (!podman.running(s.id())) {
                throw new AssertionError("container exited: " + podman.logs(s.id()));
            }
            Thread.sleep(200);
        }
        throw new AssertionError("not ready in 120 s: " + podman.logs(s.id()));
    }

    private static HttpResponse<String> admit(Started s) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(certs.resolve("tls.crt"))) {
            trust.setCertificateEntry("rofs-guard", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        HttpClient https = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
        byte[] review = Files.readAllBytes(Path.of("src/test/resources/admission/pod-create-by-replicaset.json"));
        return https.send(HttpRequest.newBuilder(URI.create("https://localhost:" + s.https() + "/validate"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(review)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void runsReadOnlyAsNonRootAndAnswersAnAdmissionReviewOverHttps() throws Exception {
        Started s = start(true);
        try {
            awaitReady(s);
            HttpResponse<String> answer = admit(s);
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).contains("\"kind\":\"AdmissionReview\"").contains("\"allowed\":")
                    .contains("\"uid\":");
            String logs = podman.logs(s.id());
            assertThat(logs).doesNotContain("Read-only file system").doesNotContain("Exception");
            // The class-data archive made in the image build is in use (-Xshare:on would refuse to start otherwise).
            assertThat(podman.podman("inspect", "--format", "{{json .Config.Entrypoint}}", IMAGE).ok().stdout())
                    .contains("-XX:SharedArchiveFile=/app/app-cds.jsa").contains("-Xshare:on");
        } finally {
            podman.rm(s.id());
        }
    }

    @Test
    void aWritableRunWritesNothingOutsideTmp() throws Exception {
        Started s = start(false);
        try {
            awaitReady(s);
            assertThat(admit(s).statusCode()).isEqualTo(200);
            podman.podman("stop", "-t", "20", s.id()).ok();
            List<String> written = podman.diff(s.id()).lines().map(l -> l.substring(2).strip())
                    .filter(p -> !ENGINE_MADE.contains(p) && !p.equals("/tmp") && !p.startsWith("/tmp/")).toList();
            assertThat(written).as("podman diff of a writable run, less the engine's own mount points").isEmpty();
        } finally {
            podman.rm(s.id());
        }
    }
}

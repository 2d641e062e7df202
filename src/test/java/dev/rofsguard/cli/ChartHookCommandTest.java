package dev.rofsguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rofsguard.tls.TlsBootstrap;
import dev.rofsguard.web.TestTls;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/** The helm test's probe against the real server over real HTTPS, trusting a caBundle as a webhook configuration holds it. */
@QuarkusTest
@QuarkusTestResource(TestTls.class)
class ChartHookCommandTest {

    /** The pod waits 10 s; a test may run while the server is still warming up on a loaded machine. */
    static final Duration PATIENCE = Duration.ofSeconds(60);

    static String caBundle() throws Exception {
        Path cert = Path.of(ConfigProvider.getConfig().getValue("rofs-guard.tls.cert-file", String.class));
        return Base64.getEncoder().encodeToString(Files.readAllBytes(cert.resolveSibling("ca.crt")));
    }

    @Test
    void theProbeIsDeniedUnderEnforce() throws Exception {
        ChartHookCommand.Result r = ChartHookCommand.probe(URI.create("https://localhost:8444/validate/enforce"), caBundle(), PATIENCE);
        assertThat(r.denied()).as(r.message()).isTrue();
        assertThat(r.message()).contains("denied as expected").contains("readOnlyRootFilesystem");
    }

    @Test
    void underWarnTheProbeReportsTheAdmission() throws Exception {
        // The test fails loudly if the webhook it reaches does not deny (a wrong path or a mode that admits).
        ChartHookCommand.Result r = ChartHookCommand.probe(URI.create("https://localhost:8444/validate/warn"), caBundle(), PATIENCE);
        assertThat(r.denied()).isFalse();
        assertThat(r.message()).contains("allowed");
    }

    @Test
    void anotherCaIsRefusedAsTheApiServerWouldRefuseIt() throws Exception {
        Path other = Files.createTempDirectory("other-ca-");
        TlsBootstrap.generate(other, List.of("localhost"), List.of("127.0.0.1"));
        String wrong = Base64.getEncoder().encodeToString(Files.readAllBytes(other.resolve("ca.crt")));
        assertThatThrownBy(() -> ChartHookCommand.probe(URI.create("https://localhost:8444/validate/enforce"), wrong, PATIENCE))
                .satisfiesAnyOf(e -> assertThat(e).isInstanceOf(SSLHandshakeException.class),
                        e -> assertThat(e).hasCauseInstanceOf(SSLHandshakeException.class));
    }
}

package dev.rofsguard;

import dev.rofsguard.cli.Cli;
import dev.rofsguard.tls.TlsBootstrap;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.nio.file.Path;

/**
 * One jar, two lives: with no argument (as the container image runs it) or {@code serve}, the webhook server;
 * anything else is the command line, which exits without booting Quarkus, so it opens no port and starts fast.
 * An unknown word is a CLI error (a typo such as {@code adit} must not start a server).
 */
@QuarkusMain
public class Main {

    public static void main(String... args) throws Exception {
        if (!Cli.startsServer(args)) {
            System.exit(Cli.run(args));
        }
        dev.rofsguard.web.NettyWithoutBouncyCastle.apply();
        int rounds = warmupRounds();
        if (rounds > 0) {
            dev.rofsguard.web.Warmup.startEarly(rounds);
        }
        if (TlsBootstrap.startBuiltInController()) {
            Quarkus.run();
            return;
        }
        Path ca = TlsBootstrap.ensureServingCertificate();
        if (ca != null) {
            System.err.println("rofs-guard: no serving certificate configured (rofs-guard.tls.cert-file); "
                    + "generated a self-signed one for localhost and 127.0.0.1, CA at " + ca);
        }
        Quarkus.run();
    }

    /** {@code rofs-guard.warmup.iterations} as Quarkus would read it (system property, then environment), before it boots. */
    private static int warmupRounds() {
        String v = System.getProperty("rofs-guard.warmup.iterations", System.getenv("ROFS_GUARD_WARMUP_ITERATIONS"));
        try {
            return Integer.parseInt((v == null ? dev.rofsguard.web.Warmup.DEFAULT_ROUNDS : v).trim());
        } catch (NumberFormatException e) {
            return 0; // Quarkus refuses the value with a clear message; nothing to warm for a server that will not start
        }
    }
}

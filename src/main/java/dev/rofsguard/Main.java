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
}

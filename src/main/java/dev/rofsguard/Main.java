package dev.rofsguard;

import dev.rofsguard.cli.Cli;
import dev.rofsguard.tls.TlsBootstrap;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.nio.file.Path;

/**
 * One jar, two lives: a CLI command ({@code review}, …) runs here and exits without booting Quarkus, so it opens
 * no port and starts fast; anything else starts the webhook server.
 */
@QuarkusMain
public class Main {

    public static void main(String... args) throws Exception {
        if (args.length > 0 && Cli.handles(args[0])) {
            System.exit(Cli.run(args));
        }
        if (TlsBootstrap.startBuiltInController()) {
            Quarkus.run(args);
            return;
        }
        Path ca = TlsBootstrap.ensureServingCertificate();
        if (ca != null) {
            System.err.println("rofs-guard: no serving certificate configured (rofs-guard.tls.cert-file); "
                    + "generated a self-signed one for localhost and 127.0.0.1, CA at " + ca);
        }
        Quarkus.run(args);
    }
}

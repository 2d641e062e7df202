package dev.rofsguard.cli;

import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The rofs-guard command line: the same engine as the webhook, with no server. */
@Command(name = "rofs-guard", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
        description = "Read-only root filesystems by default: admission webhook and offline tools.%n"
                + "Without a command, the jar starts the webhook server.",
        subcommands = {ReviewCommand.class, AuditCommand.class, DiscoverCommand.class, CatalogCommand.class, CommandLine.HelpCommand.class})
public final class Cli {

    private static final Set<String> ENTRY = Set.of("review", "audit", "discover", "catalog", "help", "--help", "-h", "--version", "-V");

    /** True when the first argument selects the CLI rather than the server. */
    public static boolean handles(String first) {
        return ENTRY.contains(first);
    }

    public static int run(String... args) {
        CommandLine cmd = new CommandLine(new Cli());
        cmd.setExitCodeExceptionMapper(e -> ExitCodes.USAGE);
        cmd.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println(ex.getMessage());
            ex.getCommandLine().usage(ex.getCommandLine().getErr());
            return ExitCodes.USAGE;
        });
        // `--fix` takes an optional value that must be attached (`--fix=patches`): a bare `--fix` must not swallow
        // the next argument, which is a path.
        String[] normalised = java.util.Arrays.stream(args).map(a -> a.equals("--fix") ? "--fix=manifests" : a)
                .toArray(String[]::new);
        return cmd.execute(normalised);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Cli.class.getPackage().getImplementationVersion();
            return new String[] {"rofs-guard " + (v != null ? v : "development build")};
        }
    }
}

package dev.rofsguard.cli;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;

/** The rofs-guard command line: the same engine as the webhook, with no server. */
@Command(name = "rofs-guard", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
        description = "Read-only root filesystems by default: admission webhook and offline tools.%n"
                + "With no command (or `serve`), the jar starts the webhook server.",
        subcommands = {ReviewCommand.class, AuditCommand.class, DiscoverCommand.class, FlagsCommand.class, ExportCommand.class, CatalogCommand.class,
                ChartHookCommand.class,
                Cli.Serve.class, CommandLine.HelpCommand.class})
public final class Cli {

    /** Whether these arguments start the webhook server: none at all (the container's entrypoint), or {@code serve}. */
    public static boolean startsServer(String... args) {
        return args.length == 0 || (args.length == 1 && args[0].equals("serve"));
    }

    public static int run(String... args) {
        CommandLine cmd = commandLine();
        // `--fix` takes an optional value that must be attached (`--fix=patches`): a bare `--fix` must not swallow
        // the next argument, which is a path.
        String[] normalised = Arrays.stream(args).map(a -> a.equals("--fix") ? "--fix=manifests" : a).toArray(String[]::new);
        return cmd.execute(normalised);
    }

    /** The command tree, with --help on every command and subcommand and one-line usage errors. */
    static CommandLine commandLine() {
        CommandLine cmd = new CommandLine(new Cli());
        enableHelp(cmd);
        Charset terminal = terminalCharset();
        cmd.setOut(new PrintWriter(new OutputStreamWriter(System.out, terminal), true));
        cmd.setErr(new PrintWriter(new OutputStreamWriter(System.err, terminal), true));
        cmd.setExitCodeExceptionMapper(e -> ExitCodes.USAGE);
        cmd.setParameterExceptionHandler((ex, a) -> {
            CommandLine failed = ex.getCommandLine();
            PrintWriter err = failed.getErr();
            // One line and a hint, as git and kubectl do: thirty lines of usage bury the one that matters.
            err.println(failed.getCommandSpec().qualifiedName() + ": " + ex.getMessage());
            if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
                err.println("Did you mean: " + String.join(" or ", u.getSuggestions()) + "?");
            }
            err.println("Try '" + failed.getCommandSpec().qualifiedName() + " --help' for more information.");
            err.flush();
            return ExitCodes.USAGE;
        });
        return cmd;
    }

    private static void enableHelp(CommandLine cmd) {
        CommandSpec spec = cmd.getCommandSpec();
        if (spec.findOption("--help") == null) {
            spec.mixinStandardHelpOptions(true);
        }
        cmd.getSubcommands().values().forEach(Cli::enableHelp);
    }

    /**
     * The charset the terminal (or the pipe) expects: text reports fall back to ASCII when it is not UTF-8.
     * Java 17 has no {@code PrintStream.charset()}; {@code stdout.encoding} (Java 19+) and {@code native.encoding}
     * (the locale's, Java 17+) say the same.
     */
    public static Charset terminalCharset() {
        for (String property : new String[] {"stdout.encoding", "sun.stdout.encoding", "native.encoding"}) {
            String name = System.getProperty(property);
            if (name != null) {
                try {
                    return Charset.forName(name);
                } catch (IllegalArgumentException e) {
                    // unknown charset name: try the next source
                }
            }
        }
        return Charset.defaultCharset();
    }

    static boolean unicode(Charset charset) {
        return charset.equals(StandardCharsets.UTF_8) || charset.name().toUpperCase().startsWith("UTF-");
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Cli.class.getPackage().getImplementationVersion();
            return new String[] {"rofs-guard " + (v != null ? v : "development build")};
        }
    }

    /** Documents the server entry point; {@link dev.rofsguard.Main} starts the server before picocli runs. */
    @Command(name = "serve", description = "Start the admission webhook server (the same as giving no command).")
    static final class Serve implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().getErr().println("serve: takes no arguments (the server is configured by application properties)");
            return ExitCodes.USAGE;
        }
    }

    /**
     * The policy FILE over the built-in defaults, as every command loads it; a bad file is said on stderr as
     * "COMMAND: reason" and gives empty (the caller exits with {@link ExitCodes#USAGE}).
     */
    static java.util.Optional<dev.rofsguard.engine.EngineConfig> config(picocli.CommandLine.Model.CommandSpec spec,
                                                                    java.nio.file.Path file, String ownNamespace) {
        try {
            return java.util.Optional.of(dev.rofsguard.config.PolicyLoader.load(file, ownNamespace));
        } catch (dev.rofsguard.config.ConfigException e) {
            spec.commandLine().getErr().println(spec.name() + ": " + e.getMessage());
            spec.commandLine().getErr().flush();
            return java.util.Optional.empty();
        }
    }
}

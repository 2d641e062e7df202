package dev.rofsguard.cli;

import dev.rofsguard.engine.EngineConfig;
import dev.rofsguard.discover.ContainerEngine;
import dev.rofsguard.discover.Discovery;
import dev.rofsguard.discover.DiscoveryReport;
import dev.rofsguard.discover.RunDiscovery;
import dev.rofsguard.catalog.Catalog;
import dev.rofsguard.catalog.CatalogEntry;
import dev.rofsguard.catalog.CatalogPath;
import dev.rofsguard.catalog.PathType;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Proposes a catalog entry: from `docker diff` / `podman diff` output or "Read-only file system" log lines, or by
 * running the image (--run) read-only until it stays up.
 */
@Command(name = "discover", mixinStandardHelpOptions = true,
        description = {"Propose the writable paths of an image, as a catalog entry, a pod-spec snippet and run flags.",
                "  discover --image PATTERN FILE|-     from `docker diff`/`podman diff` output or container logs",
                "  discover --run IMAGE [-- ARGS]      run the image read-only (and once writable, for its diff),",
                "                                      adding a tmpfs per error until it stays up"})
final class DiscoverCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "INPUT|ARGS", description = "diff output or logs (- for stdin); with --run: the container's arguments, after --")
    List<String> positional = new ArrayList<>();

    @Option(names = "--image", paramLabel = "PATTERN", description = "image pattern for the entry, e.g. ghcr.io/acme/app")
    String image;

    @Option(names = "--run", paramLabel = "IMAGE", description = "run this image (it must be present locally or pullable)")
    String run;

    @Option(names = "--engine", paramLabel = "ENGINE", defaultValue = "podman", description = "podman or docker (default: ${DEFAULT-VALUE})")
    String engine;

    @Option(names = "--max-rounds", paramLabel = "N", defaultValue = "8", description = "read-only attempts at most (default: ${DEFAULT-VALUE})")
    int maxRounds;

    @Option(names = "--settle", paramLabel = "SECONDS", defaultValue = "5", description = "how long a container must stay up (default: ${DEFAULT-VALUE})")
    int settleSeconds;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "300", description = "give up after this long (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "policy file over the built-in defaults (its catalog's known paths are preferred)")
    Path config;

    @Option(names = "--name", paramLabel = "NAME", description = "entry name (default: the image's last path component)")
    String name;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<EngineConfig> loaded = Cli.config(spec, config, null);
        if (loaded.isEmpty()) {
            return ExitCodes.USAGE;
        }
        List<Discovery.KnownPath> known = knownPaths(loaded.get().catalog(), run != null ? run : image);
        return run != null ? runImage(out, err, known) : fromText(out, err, known);
    }

    private Integer fromText(PrintWriter out, PrintWriter err, List<Discovery.KnownPath> known) {
        if (image == null || positional.size() != 1) {
            err.println("discover: give --image PATTERN and one INPUT (a file, or - for stdin), or --run IMAGE");
            return ExitCodes.USAGE;
        }
        Optional<String> read = Inputs.readText("discover", positional.get(0), err);
        if (read.isEmpty()) {
            return ExitCodes.USAGE;
        }
        Discovery.Result result = Discovery.propose(read.get(), new Discovery.Context(null, java.util.Set.of(), known));
        if (result.proposals().isEmpty() && result.refusals().isEmpty()) {
            err.println("discover: found no written paths (expected `A /path` / `C /path` lines or \"Read-only file system\" errors)");
            return ExitCodes.USAGE;
        }
        out.print(DiscoveryReport.render(entryName(image), image, result, "from " + positional.get(0)));
        out.flush();
        return ExitCodes.OK;
    }

    private Integer runImage(PrintWriter out, PrintWriter err, List<Discovery.KnownPath> known) {
        String e = engine.toLowerCase(Locale.ROOT);
        if (!e.equals("podman") && !e.equals("docker")) {
            err.println("discover: --engine must be podman or docker, not " + engine);
            return ExitCodes.USAGE;
        }
        RunDiscovery loop = new RunDiscovery(ContainerEngine.of(e), new RunDiscovery.Settings(maxRounds,
                Duration.ofSeconds(settleSeconds), Duration.ofSeconds(5), Duration.ofSeconds(timeoutSeconds)),
                line -> {
                    err.println("discover: " + line);
                    err.flush();
                });
        RunDiscovery.Outcome outcome;
        try {
            outcome = loop.run(run, positional, known);
        } catch (IOException ex) {
            err.println("discover: " + ex.getMessage());
            return ExitCodes.USAGE;
        }
        String argsText = positional.isEmpty() ? "" : " -- " + String.join(" ", positional);
        out.print(DiscoveryReport.render(entryName(run), run, outcome.result(),
                "`rofs-guard discover --run " + run + argsText + "` (" + e + ", " + outcome.rounds().size() + " read-only round(s))"));
        out.flush();
        if (!outcome.stays()) {
            err.println("discover: the container did not stay up read-only: " + outcome.reason());
            outcome.lastLogs().stream().skip(Math.max(0, outcome.lastLogs().size() - 10)).forEach(l -> err.println("  | " + l));
            return ExitCodes.USAGE;
        }
        return ExitCodes.OK;
    }

    private String entryName(String image) {
        if (name != null) {
            return name;
        }
        String repo = Discovery.pattern(image);
        return repo.substring(repo.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
    }

    /**
     * The catalog's paths, to be preferred when one covers a write: the image's own entry first (its version's
     * paths), then every entry's (a path that one program is known to write is a good mount for another's too).
     */
    static List<Discovery.KnownPath> knownPaths(Catalog catalog, String image) {
        List<Discovery.KnownPath> known = new ArrayList<>();
        if (image != null) {
            catalog.match(image).ifPresent(m -> {
                m.scratch().forEach(s -> known.add(new Discovery.KnownPath(s.path(), "scratch", m.entry())));
                m.data().forEach(d -> known.add(new Discovery.KnownPath(d.path(), "data", m.entry())));
            });
        }
        for (CatalogEntry entry : catalog.entries()) {
            for (CatalogPath p : entry.paths()) {
                if (known.stream().noneMatch(k -> k.path().equals(p.path()))) {
                    known.add(new Discovery.KnownPath(p.path(), p.type() == PathType.DATA ? "data" : "scratch", entry.name()));
                }
            }
        }
        return known;
    }
}

package dev.rofsguard.cli;

import dev.rofsguard.discover.Discovery;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Proposes a catalog entry from `docker diff` / `podman diff` output or from "Read-only file system" log lines. */
@Command(name = "discover", description = "Propose the writable paths of an image from `docker diff`/`podman diff` output%n"
        + "or from container logs with \"Read-only file system\" errors (file, or - for stdin).")
final class DiscoverCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "INPUT", description = "diff output or logs, or - for stdin")
    String input;

    @Option(names = "--image", paramLabel = "PATTERN", required = true, description = "image pattern for the entry, e.g. ghcr.io/acme/app")
    String image;

    @Option(names = "--name", paramLabel = "NAME", description = "entry name (default: the image's last path component)")
    String name;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<String> read = Inputs.readText("discover", input, err);
        if (read.isEmpty()) {
            return ExitCodes.USAGE;
        }
        String text = read.get();
        List<Discovery.Proposal> proposals = Discovery.propose(text);
        if (proposals.isEmpty()) {
            err.println("discover: found no written paths (expected `A /path` / `C /path` lines or \"Read-only file system\" errors)");
            return ExitCodes.USAGE;
        }
        String entry = name != null ? name : image.substring(image.lastIndexOf('/') + 1).replaceAll("[^a-z0-9-]", "-");
        out.print(Discovery.render(entry, image, proposals));
        out.flush();
        return ExitCodes.OK;
    }
}

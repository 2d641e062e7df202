package dev.rofsguard.discover;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The discovery loop, automated: run the image once writable to take its diff, then read-only with a tmpfs at each
 * proposed path, read the "Read-only file system" errors, add mounts and try again until the container stays up,
 * or the rounds or the time run out. Each round's container is stopped gracefully so that shutdown writes (a
 * database's final save) show too.
 */
public final class RunDiscovery {

    public record Settings(int maxRounds, Duration settle, Duration stopGrace, Duration timeout) {
        public static final Settings DEFAULT = new Settings(8, Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofMinutes(5));
    }

    /** One read-only attempt: the mounts it had, whether it stayed up, the read-only errors it printed. */
    public record Round(int number, List<String> mounts, boolean stayedUp, int exitCode, List<String> errors) {
    }

    /**
     * @param stays  whether the last round stayed up (running after the settle time, or exited 0) with no read-only
     *               error
     * @param reason why the loop stopped when it did not succeed
     */
    public record Outcome(Discovery.Result result, boolean stays, List<Round> rounds, String reason, List<String> lastLogs) {
    }

    private final ContainerEngine engine;
    private final Settings settings;
    private final Consumer<String> progress;

    public RunDiscovery(ContainerEngine engine, Settings settings, Consumer<String> progress) {
        this.engine = engine;
        this.settings = settings;
        this.progress = progress;
    }

    public Outcome run(String image, List<String> args, List<Discovery.KnownPath> known) throws IOException {
        long deadline = System.nanoTime() + settings.timeout().toNanos();
        Discovery.Context ctx = new Discovery.Context(engine.files(image), engine.volumes(image), known);
        progress.accept("image " + image + ": " + ctx.image().size() + " paths, volumes " + ctx.volumes());

        // A writable run, for its diff: what the container writes anywhere, in one go. Image VOLUMEs are left in the
        // container's filesystem (not volumes) so that their writes show in the diff too.
        List<String> writable = new ArrayList<>(List.of("run", "-d"));
        if (engine.isPodman()) {
            writable.add("--image-volume=ignore");
        }
        Attempt first = attempt(writable, image, args);
        StringBuilder evidence = new StringBuilder(first.diff).append('\n');
        progress.accept("writable run: " + first.diff.lines().count() + " diff lines");
        Discovery.Result result = Discovery.propose(evidence.toString(), ctx);

        List<Round> rounds = new ArrayList<>();
        List<String> lastLogs = List.of();
        String reason = null;
        for (int n = 1; ; n++) {
            if (n > settings.maxRounds()) {
                reason = "gave up after " + settings.maxRounds() + " rounds";
                break;
            }
            if (System.nanoTime() > deadline) {
                reason = "gave up after " + settings.timeout().toSeconds() + " s";
                break;
            }
            List<String> mounts = trialMounts(result);
            List<String> run = new ArrayList<>(List.of("run", "-d"));
            run.addAll(engine.readOnlyFlags());
            run.addAll(mounts);
            Attempt a = attempt(run, image, args);
            List<String> errors = Discovery.erofsPaths(a.logs);
            Round round = new Round(n, mounts, a.stayedUp && errors.isEmpty(), a.exitCode, errors);
            rounds.add(round);
            lastLogs = a.logs.lines().toList();
            progress.accept("round " + n + ": " + mounts.size() / 2 + " mounts, " + (a.stayedUp ? "stayed up" : "exited " + a.exitCode)
                    + ", " + errors.size() + " read-only errors");
            if (round.stayedUp()) {
                return new Outcome(result, true, rounds, null, lastLogs);
            }
            for (String line : a.logs.split("\\R")) {
                if (Discovery.fromLog(line).isPresent()) {
                    evidence.append(line).append('\n');
                }
            }
            Discovery.Result next = Discovery.propose(evidence.toString(), ctx);
            if (trialMounts(next).equals(mounts)) {
                reason = errors.isEmpty()
                        ? "the container does not stay up (exit code " + a.exitCode + ") for a reason other than the read-only root"
                        : "the container still writes where no mount can be proposed: " + String.join(", ", errors);
                break;
            }
            result = next;
        }
        return new Outcome(result, false, rounds, reason, lastLogs);
    }

    /**
     * Trial mounts: the proposed tmpfs at every scratch path, and a tmpfs at data paths too (a trial must not
     * leave volumes behind; the proposal says volume).
     */
    private static List<String> trialMounts(Discovery.Result result) {
        List<String> mounts = new ArrayList<>();
        for (Discovery.Proposal p : result.proposals()) {
            mounts.add("--tmpfs");
            mounts.add(p.type().equals("data") ? p.path() + ":rw,size=" + DiscoveryReport.TMPFS_SIZE : DiscoveryReport.tmpfs(p.path()));
        }
        return mounts;
    }

    private record Attempt(boolean stayedUp, int exitCode, String logs, String diff) {
    }

    private Attempt attempt(List<String> runArgs, String image, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(runArgs);
        cmd.add(image);
        cmd.addAll(args);
        ContainerEngine.Output started = engine.exec(Duration.ofMinutes(2), cmd);
        if (!started.ok()) {
            throw new IOException(engine.name() + " run failed (" + started.exitCode() + "): " + started.stderr().strip());
        }
        String id = started.stdout().strip();
        try {
            boolean running = true;
            long until = System.nanoTime() + settings.settle().toNanos();
            while (System.nanoTime() < until && running) {
                sleep(250);
                running = engine.check("inspect", "--format", "{{.State.Running}}", id).equals("true");
            }
            engine.exec(Duration.ofSeconds(settings.stopGrace().toSeconds() + 60), List.of("stop", "-t",
                    Long.toString(settings.stopGrace().toSeconds()), id));
            int exit = Integer.parseInt(engine.check("inspect", "--format", "{{.State.ExitCode}}", id));
            ContainerEngine.Output logs = engine.exec("logs", id);
            String diff = engine.check("diff", id);
            return new Attempt(running || exit == 0, exit, logs.stdout() + "\n" + logs.stderr(), diff);
        } finally {
            engine.exec("rm", "-f", id);
        }
    }

    private static void sleep(long ms) throws IOException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}

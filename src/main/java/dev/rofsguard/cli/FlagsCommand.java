package dev.rofsguard.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rofsguard.engine.EngineConfig;
import dev.rofsguard.catalog.Catalog;
import dev.rofsguard.catalog.CatalogPath;
import dev.rofsguard.compose.Compose;
import dev.rofsguard.engine.Judge;
import dev.rofsguard.engine.Judgement;
import dev.rofsguard.engine.Origin;
import dev.rofsguard.mutation.Plan;
import dev.rofsguard.policy.Subject;
import java.io.PrintWriter;
import java.nio.file.Path;
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
 * {@code docker run} / {@code podman run} flags that run an image read-only, rendered from the same plan the webhook
 * applies: scratch paths as {@code --tmpfs PATH:rw,noexec,nosuid,size=N}, data paths as named volumes (persistent,
 * never a tmpfs), seeded paths as volumes the engine fills from the image (Docker copies image content into a new
 * volume; podman's {@code --tmpfs} copies it up by default).
 */
@Command(name = "flags", mixinStandardHelpOptions = true,
        description = "Print the run flags that start IMAGE with a read-only root filesystem, from the catalog.%n"
                + "Exit codes: 0 printed, 2 bad input or configuration, 3 the catalog does not know the image.")
final class FlagsCommand implements Callable<Integer> {

    static final int UNKNOWN_IMAGE = 3;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "image reference as you would run it")
    String image;

    @Option(names = "--format", paramLabel = "ENGINE", defaultValue = "docker", description = "docker, podman or cri-o (default: ${DEFAULT-VALUE})")
    String format;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "policy file over the built-in defaults (your catalog entries)")
    Path config;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String engine = format.toLowerCase(Locale.ROOT);
        if (!List.of("docker", "podman", "cri-o").contains(engine)) {
            err.println("flags: --format '" + format + "' is not one of docker, podman, cri-o");
            return ExitCodes.USAGE;
        }
        Optional<EngineConfig> loaded = Cli.config(spec, config, null);
        if (loaded.isEmpty()) {
            return ExitCodes.USAGE;
        }
        Judge judge = new Judge(loaded.get());
        Optional<Catalog.Match> match = judge.config().catalog().match(image);
        if (!judge.config().catalog().validReference(image)) {
            err.println("flags: '" + image + "' is not a valid image reference");
            return ExitCodes.USAGE;
        }
        if (match.isEmpty()) {
            err.println("flags: the catalog does not know " + image + "; find its paths with: rofs-guard discover --run " + image);
            return UNKNOWN_IMAGE;
        }
        // Data paths get named volumes first, so that the plan (never an emptyDir there) can make the rest read-only.
        ObjectNode pod = JsonNodeFactory.instance.objectNode().put("apiVersion", "v1").put("kind", "Pod");
        pod.putObject("metadata").put("name", "run");
        ObjectNode c = pod.putObject("spec").putArray("containers").addObject().put("name", "app").put("image", image);
        List<String> volumes = new ArrayList<>();
        ArrayNode mounts = c.putArray("volumeMounts");
        ArrayNode podVolumes = ((ObjectNode) pod.path("spec")).putArray("volumes");
        for (CatalogPath d : match.get().data()) {
            String name = match.get().entry() + "-" + d.path().replaceAll("[^A-Za-z0-9]+", "-").replaceAll("^-|-$", "");
            mounts.addObject().put("name", name).put("mountPath", d.path());
            podVolumes.addObject().put("name", name).putObject("persistentVolumeClaim").put("claimName", name);
            volumes.add("-v " + name + ":" + d.path());
        }
        Judgement j = judge.judge(Subject.create("", "Pod", Compose.NAMESPACE, pod), Origin.manifest(false));
        String blocked = j.plan().blocked().get("app");
        if (blocked != null) {
            err.println("flags: " + image + " " + blocked);
            return UNKNOWN_IMAGE;
        }
        Plan.ContainerChange change = j.plan().changes().get("app");
        List<Plan.Mount> planned = change == null ? List.of() : change.mounts();
        if (engine.equals("cri-o")) {
            out.println("# CRI-O: with read_only = true in crio.conf ([crio.runtime]) every container gets tmpfs at /run, /tmp");
            out.println("# and /var/tmp. For " + image + " (catalog entry " + match.get().entry() + ") also mount:");
            planned.stream().filter(m -> !List.of("/run", "/tmp", "/var/tmp").contains(m.path()))
                    .forEach(m -> out.println("#   " + m.path() + (m.seeded() ? " (with the image's content)" : "")));
            volumes.forEach(v -> out.println("#   " + v.substring(3) + " (a persistent volume: data)"));
            out.flush();
            return ExitCodes.OK;
        }
        StringBuilder flags = new StringBuilder("--read-only");
        if (engine.equals("podman")) {
            // podman adds tmpfs at /run, /tmp and /var/tmp with --read-only and makes image VOLUMEs writable by default:
            // turn both off, so that exactly the catalog's paths are writable, as in Kubernetes.
            flags.append(" --read-only-tmpfs=false --image-volume=ignore");
        }
        for (Plan.Mount m : planned) {
            if (m.seeded()) {
                flags.append(engine.equals("podman") ? " --tmpfs " + Compose.tmpfsEntry(m).replace(":rw,noexec,nosuid", ":rw,nosuid") + ",tmpcopyup"
                        : " -v " + match.get().entry() + m.path().replaceAll("[^A-Za-z0-9]+", "-") + ":" + m.path());
            } else {
                flags.append(" --tmpfs ").append(Compose.tmpfsEntry(m));
            }
        }
        volumes.forEach(v -> flags.append(' ').append(v));
        out.println(flags);
        out.flush();
        return ExitCodes.OK;
    }
}

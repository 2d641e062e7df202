package dev.rofsguard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rofsguard.catalog.Catalog;
import dev.rofsguard.catalog.CatalogEntry;
import dev.rofsguard.catalog.CatalogPath;
import dev.rofsguard.catalog.PathType;
import dev.rofsguard.engine.Judge;
import dev.rofsguard.image.ImagePattern;
import dev.rofsguard.image.ImageReference;
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
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** The catalog as users see it: every entry with its paths and evidence, and what one image reference gets. */
@Command(name = "catalog", description = "List the catalog of known images (paths by type, reason, evidence).%n"
        + "`catalog show IMAGE` explains which entry a reference matches and what a pod with it gets.",
        subcommands = CatalogCommand.Show.class)
final class CatalogCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "policy file over the built-in defaults (its catalog: entries and mirrors)")
    Path config;

    @Option(names = {"-o", "--format"}, paramLabel = "FORMAT", defaultValue = "text", description = "text or json")
    String format;

    @Override
    public Integer call() throws Exception {
        Optional<Judge> engine = engine(spec.commandLine().getErr());
        if (engine.isEmpty()) {
            return ExitCodes.USAGE;
        }
        Catalog catalog = engine.get().config().catalog();
        PrintWriter out = spec.commandLine().getOut();
        if (json()) {
            ObjectNode root = JSON.createObjectNode();
            root.putObject("defaults").put("sizeLimit", catalog.defaultSizeLimit()).put("medium", catalog.defaultMedium());
            catalog.mirrors().forEach(root.putArray("mirrors")::add);
            ArrayNode entries = root.putArray("entries");
            catalog.entries().forEach(e -> entries.add(entry(e)));
            out.println(JSON.writeValueAsString(root));
        } else {
            for (CatalogEntry e : catalog.entries()) {
                out.println(e.name());
                out.println("  images:   " + String.join(", ", e.images().stream().map(ImagePattern::toString).toList()));
                out.println("  reason:   " + e.reason().strip().replaceAll("\\s+", " "));
                for (PathType type : PathType.values()) {
                    List<CatalogPath> paths = e.paths().stream().filter(p -> p.type() == type).toList();
                    if (!paths.isEmpty()) {
                        out.println("  " + String.format("%-9s ", type.name().toLowerCase(Locale.ROOT) + ":")
                                + String.join(", ", paths.stream().map(p -> p.path() + conditions(p)).toList()));
                    }
                }
                if (e.paths().isEmpty()) {
                    out.println("  paths:    none (only the flag is needed)");
                }
                if (!e.requiredEnv().isEmpty()) {
                    out.println("  needs:    " + String.join(", ", e.requiredEnv()) + " set");
                }
                if (!e.shell() && e.paths().stream().anyMatch(p -> p.type() == PathType.SEEDED)) {
                    out.println("  no shell: seeded paths cannot be filled; mount volumes with their content");
                }
                e.evidence().forEach(ev -> out.println("  evidence: " + ev));
                out.println();
            }
            out.println(catalog.entries().size() + " entries; `rofs-guard catalog show IMAGE` for one reference");
        }
        out.flush();
        return ExitCodes.OK;
    }

    private boolean json() {
        return "json".equals(format);
    }

    Optional<Judge> engine(PrintWriter err) {
        if (!format.equals("text") && !format.equals("json")) {
            err.println("catalog: --format '" + format + "' is not one of text, json");
            return Optional.empty();
        }
        return Cli.config(spec, config, null).map(Judge::new);
    }

    private static ObjectNode entry(CatalogEntry e) {
        ObjectNode n = JSON.createObjectNode().put("name", e.name()).put("reason", e.reason().strip().replaceAll("\\s+", " "));
        e.images().forEach(i -> n.withArray("images").add(i.toString()));
        n.put("shell", e.shell());
        e.requiredEnv().forEach(n.putArray("requiredEnv")::add);
        ObjectNode links = n.putObject("symlinks");
        e.symlinks().forEach(links::put);
        ArrayNode paths = n.putArray("paths");
        e.paths().forEach(p -> paths.add(path(p)));
        e.evidence().forEach(n.putArray("evidence")::add);
        return n;
    }

    private static ObjectNode path(CatalogPath p) {
        ObjectNode n = JSON.createObjectNode().put("path", p.path()).put("type", p.type().name().toLowerCase(Locale.ROOT));
        putIf(n, "medium", p.medium());
        putIf(n, "sizeLimit", p.sizeLimit());
        if (p.majorAtLeast() != null) {
            n.put("majorAtLeast", p.majorAtLeast());
        }
        if (p.majorBelow() != null) {
            n.put("majorBelow", p.majorBelow());
        }
        putIf(n, "tag", p.tag());
        putIf(n, "unlessTag", p.unlessTag());
        putIf(n, "ifMounted", p.ifMounted());
        putIf(n, "ifArg", p.ifArg());
        putIf(n, "unlessArg", p.unlessArg());
        putIf(n, "ifEnv", p.ifEnv());
        putIf(n, "unlessEnv", p.unlessEnv());
        putIf(n, "movedByEnv", p.env());
        putIf(n, "movedByArg", p.arg());
        putIf(n, "reason", p.reason());
        putIf(n, "evidence", p.evidence());
        return n;
    }

    private static void putIf(ObjectNode n, String field, String value) {
        if (value != null && !value.isEmpty()) {
            n.put(field, value);
        }
    }

    /** The conditions of a path, briefly: {@code /data (if --configsvr; moved by --dbpath)}. */
    static String conditions(CatalogPath p) {
        List<String> c = new ArrayList<>();
        if (p.majorAtLeast() != null) {
            c.add("tags >= " + p.majorAtLeast());
        }
        if (p.majorBelow() != null) {
            c.add("tags < " + p.majorBelow());
        }
        if (p.tag() != null) {
            c.add("tags " + p.tag());
        }
        if (p.unlessTag() != null) {
            c.add("not tags " + p.unlessTag());
        }
        if (p.ifMounted() != null) {
            c.add("if something is mounted at " + p.ifMounted());
        }
        if (p.ifArg() != null) {
            c.add("if " + p.ifArg() + " is given");
        }
        if (p.unlessArg() != null) {
            c.add("unless " + p.unlessArg() + " is given");
        }
        if (p.ifEnv() != null) {
            c.add("if " + p.ifEnv() + " is set");
        }
        if (p.unlessEnv() != null) {
            c.add("unless " + p.unlessEnv() + " is set");
        }
        if (p.env() != null) {
            c.add("moved by " + p.env());
        }
        if (p.arg() != null) {
            c.add("moved by " + p.arg());
        }
        if (p.type() == PathType.SCRATCH || p.type() == PathType.SEEDED) {
            if (p.medium() != null) {
                c.add(p.medium());
            }
            if (p.sizeLimit() != null) {
                c.add(p.sizeLimit());
            }
        }
        return c.isEmpty() ? "" : " (" + String.join("; ", c) + ")";
    }

    @Command(name = "show", description = "Which entry IMAGE matches (after normalisation, mirror prefixes and tag conditions)%n"
            + "and what a container running it gets: emptyDirs, seeds, and the data paths it must have mounted.")
    static final class Show implements Callable<Integer> {

        @ParentCommand
        CatalogCommand parent;

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "IMAGE", description = "an image reference as written in a pod spec")
        String image;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            Optional<Judge> engine = parent.engine(spec.commandLine().getErr());
            if (engine.isEmpty()) {
                return ExitCodes.USAGE;
            }
            Catalog catalog = engine.get().config().catalog();
            Optional<ImageReference> ref = catalog.reference(image);
            Optional<Catalog.Match> match = catalog.match(image);
            ObjectNode n = JSON.createObjectNode().put("image", image).put("valid", ref.isPresent());
            ref.ifPresent(r -> n.put("reference", r.toString()).put("registry", r.registry()).put("repository", r.repository()));
            ref.ifPresent(r -> {
                n.put("tag", r.tag());
                n.put("digest", r.digest());
            });
            if (match.isPresent()) {
                n.put("entry", match.get().entry());
                ArrayNode applies = n.putArray("paths");
                for (Catalog.Resolved r : match.get().paths()) {
                    ObjectNode p = path(r.source());
                    putIf(p, "medium", r.medium());
                    putIf(p, "sizeLimit", r.sizeLimit());
                    applies.add(p);
                }
                planned(n.putObject("bareContainer"), engine.get(), List.of());
                // The data paths that apply with no args or env, each given a claim, as a correct pod would have them.
                List<String> data = match.get().paths().stream().filter(r -> r.type() == PathType.DATA && !r.source().conditional())
                        .map(Catalog.Resolved::path).toList();
                if (!data.isEmpty()) {
                    ObjectNode withData = planned(n.putObject("withClaims"), engine.get(), data);
                    data.forEach(withData.putArray("claims")::add);
                }
            }
            if (parent.json()) {
                out.println(JSON.writeValueAsString(n));
                out.flush();
                return ref.isPresent() ? ExitCodes.OK : ExitCodes.USAGE;
            }
            if (ref.isEmpty()) {
                out.println(image + ": not a valid image reference (runtimes refuse it; rofs-guard warns about it and the catalog matches nothing)");
                out.flush();
                return ExitCodes.USAGE;
            }
            out.println("image:     " + image);
            out.println("reference: " + ref.get() + (ref.get().tag() == null && ref.get().digest() != null
                    ? "  (a digest alone: counts as the newest version for majorAtLeast/majorBelow and matches no tag glob)" : ""));
            if (match.isEmpty()) {
                out.println("entry:     none: the catalog does not know this image; the mutation leaves it alone and the rule"
                        + " asks for readOnlyRootFilesystem: true (add an entry under catalog.entries, or try `rofs-guard discover`)");
                out.flush();
                return ExitCodes.OK;
            }
            Catalog.Match m = match.get();
            out.println("entry:     " + m.entry());
            if (m.paths().isEmpty()) {
                out.println("paths:     none for this tag (only the flag is needed)");
            }
            for (Catalog.Resolved r : m.paths()) {
                out.println(String.format("  %-9s %s%s", r.type().name().toLowerCase(Locale.ROOT), r.path(), conditions(r.source()))
                        + (r.source().reason() == null ? "" : " — " + r.source().reason()));
            }
            if (!m.requiredEnv().isEmpty()) {
                out.println("needs:     " + String.join(", ", m.requiredEnv()) + " set in the container");
            }
            out.println("a container with this image, no args and nothing mounted:");
            say(out, n.path("bareContainer"));
            if (n.has("withClaims")) {
                List<String> claims = new ArrayList<>();
                n.path("withClaims").path("claims").forEach(d -> claims.add(d.asText()));
                out.println("the same with a PersistentVolumeClaim at " + String.join(", ", claims) + ":");
                say(out, n.path("withClaims"));
            }
            out.flush();
            return ExitCodes.OK;
        }

        /** What the planner does to a pod of one container with this image and claims at these paths. */
        private ObjectNode planned(ObjectNode into, Judge engine, List<String> claims) {
            ObjectNode pod = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Pod");
            pod.putObject("metadata").put("name", "catalog-show");
            ObjectNode spec = pod.putObject("spec");
            ObjectNode c = spec.putArray("containers").addObject().put("name", "app").put("image", image);
            for (int i = 0; i < claims.size(); i++) {
                c.withArray("volumeMounts").addObject().put("name", "data-" + i).put("mountPath", claims.get(i));
                spec.withArray("volumes").addObject().put("name", "data-" + i).putObject("persistentVolumeClaim").put("claimName", "data-" + i);
            }
            Plan plan = engine.mutation(Subject.of(pod, "default"));
            Plan.ContainerChange change = plan.changes().get("app");
            ArrayNode dirs = into.putArray("emptyDirs");
            if (change != null) {
                change.mounts().forEach(m -> dirs.add(m.path()));
                into.put("seedInitContainer", change.seed());
                into.put("readOnlyRootFilesystem", change.readOnlyRootFilesystem());
            }
            if (plan.blocked().containsKey("app")) {
                into.put("readOnlyRootFilesystem", false);
                into.put("leftAlone", plan.blocked().get("app"));
            }
            return into;
        }

        private static void say(PrintWriter out, JsonNode planned) {
            if (planned.has("leftAlone")) {
                out.println("  left alone (no flag): " + planned.path("leftAlone").asText());
                return;
            }
            List<String> dirs = new ArrayList<>();
            planned.path("emptyDirs").forEach(d -> dirs.add(d.asText()));
            out.println("  emptyDirs: " + (dirs.isEmpty() ? "none" : String.join(", ", dirs)));
            if (planned.hasNonNull("seedInitContainer")) {
                out.println("  seeded by: init container " + planned.path("seedInitContainer").asText() + " (same image, cp -R)");
            }
            out.println("  readOnlyRootFilesystem: " + planned.path("readOnlyRootFilesystem").asBoolean(false));
        }
    }
}

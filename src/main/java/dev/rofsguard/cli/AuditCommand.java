package dev.rofsguard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rofsguard.engine.EngineConfig;
import dev.rofsguard.compose.Compose;
import dev.rofsguard.compose.ComposeService;
import dev.rofsguard.admission.AdmissionReviews;
import dev.rofsguard.engine.Judge;
import dev.rofsguard.engine.Origin;
import dev.rofsguard.manifest.Document;
import dev.rofsguard.manifest.ManifestError;
import dev.rofsguard.manifest.ManifestReader;
import dev.rofsguard.mutation.Plan;
import dev.rofsguard.policy.Mode;
import dev.rofsguard.report.AuditReport;
import dev.rofsguard.report.AuditedObject;
import dev.rofsguard.report.FixedManifests;
import dev.rofsguard.report.JsonReport;
import dev.rofsguard.report.JunitReport;
import dev.rofsguard.report.KustomizePatches;
import dev.rofsguard.report.Paint;
import dev.rofsguard.report.PolicyReportRender;
import dev.rofsguard.report.ReportFormat;
import dev.rofsguard.report.SarifReport;
import dev.rofsguard.report.TextReport;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Audits manifests offline with the admission engine: {@code helm template … | rofs-guard audit -}. */
@Command(name = "audit", sortOptions = false,
        description = "Audit manifests (YAML/JSON files, directories, or - for stdin) or a cluster (--cluster) with the "
                + "webhook's engine.%nExit codes: 0 nothing to fix, 1 violations found in enforce mode, 2 usage or input errors.")
final class AuditCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "PATH", description = "manifest files or directories, or - for stdin")
    List<String> inputs = new ArrayList<>();

    @Option(names = {"-f", "--filename"}, paramLabel = "PATH", description = "a manifest file or directory, or - (repeatable; as kubectl -f)")
    List<String> filenames = new ArrayList<>();

    @Option(names = "--exclude", paramLabel = "GLOB", description = "skip files matching GLOB (relative to the directory given, "
            + "or the file name), e.g. '**/templates/**' (repeatable)")
    List<String> excludes = new ArrayList<>();

    @Option(names = {"-n", "--namespace"}, paramLabel = "NS",
            description = "files: the namespace of objects that name none (default: default); with --cluster: only this namespace (default: all)")
    String namespace;

    @Option(names = "--cluster", description = "audit what runs in the cluster (kubeconfig or in-cluster service account) instead of files")
    boolean cluster;

    @Option(names = {"-A", "--all-namespaces"}, description = "with --cluster: every namespace (the default without -n)")
    boolean allNamespaces;

    @Option(names = "--kubeconfig", paramLabel = "FILE", description = "with --cluster: the kubeconfig (default: $KUBECONFIG, then ~/.kube/config)")
    Path kubeconfig;

    @Option(names = "--context", paramLabel = "NAME", description = "with --cluster: the kubeconfig context (default: its current context)")
    String context;

    @Option(names = {"-l", "--selector"}, paramLabel = "SELECTOR", description = "with --cluster: label selector")
    String selector;

    @Option(names = "--page-size", paramLabel = "N", defaultValue = "500", description = "with --cluster: objects per list page (default: ${DEFAULT-VALUE})")
    int pageSize;

    @Option(names = "--mode", paramLabel = "MODE", converter = Inputs.ModeConverter.class, description = "enforce (fail on violations), warn or audit (report only); default: the policy's mode")
    Mode mode;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "policy file over the built-in defaults")
    Path config;

    @Option(names = "--no-mutation", description = "judge as /validate/<mode>/no-mutation: do not count on rofs-guard's "
            + "mutating webhook (for namespaces routed away from it, or clusters without it)")
    boolean noMutation;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text", description = "text, json, sarif, junit or policyreport")
    String format;

    @Option(names = "--format", hidden = true, paramLabel = "FORMAT", description = "the former name of --output")
    String formatAlias;

    @Option(names = "--output-file", paramLabel = "FILE", description = "write the report here instead of stdout")
    Path outputFile;

    @Option(names = "--sarif-root", paramLabel = "DIR", description = "-o sarif: artifact URIs relative to DIR (default: the working directory)")
    Path sarifRoot;

    @Option(names = {"-q", "--quiet"}, description = "-o text: only one line per finding, no summary and no fixes")
    boolean quiet;

    @Option(names = "--color", paramLabel = "WHEN", defaultValue = "auto", description = "auto (on a terminal, unless NO_COLOR is set), always or never")
    String color;

    @Option(names = "--fix", arity = "0..1", fallbackValue = "manifests", paramLabel = "manifests|patches",
            description = "print the manifests with the mutation applied (catalog volumes and the flag), in document order, "
                    + "quoting and comments kept; or, with --fix=patches, kustomize JSON 6902 patches, one per workload")
    String fix;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        ReportFormat reportFormat;
        String chosenFormat = formatAlias != null ? formatAlias : format;
        try {
            reportFormat = ReportFormat.parse(chosenFormat);
        } catch (IllegalArgumentException e) {
            return usage("-o '" + chosenFormat + "' is not one of " + ReportFormat.names());
        }
        if (fix != null && !fix.equals("manifests") && !fix.equals("patches")) {
            return usage("--fix takes manifests (the default) or patches, not '" + fix + "'");
        }
        if (!List.of("auto", "always", "never").contains(color)) {
            return usage("--color takes auto, always or never, not '" + color + "'");
        }
        Optional<EngineConfig> loaded = Cli.config(spec, config, null);
        if (loaded.isEmpty()) {
            return ExitCodes.USAGE;
        }
        Judge engine = new Judge(loaded.get());
        Mode effective = mode != null ? mode : engine.config().defaultMode();
        List<String> paths = new ArrayList<>(inputs);
        paths.addAll(filenames);
        if (cluster) {
            if (fix != null || !paths.isEmpty()) {
                return usage("--cluster takes no paths and no --fix");
            }
            return auditCluster(engine, effective, reportFormat, err);
        }
        if (paths.isEmpty()) {
            return usage("give manifest paths (or -f PATH), - for stdin, or --cluster");
        }
        ManifestReader.Result read = ManifestReader.read(paths, System.in, excludes);
        List<ManifestError> errors = new ArrayList<>(read.errors());
        if (read.documents().isEmpty() && errors.isEmpty()) {
            // `helm template … | rofs-guard audit -` with a failing helm: nothing to judge is not a success.
            errors.add(new ManifestError(String.join(" ", paths), 0, "no manifest documents read (empty input"
                    + (excludes.isEmpty() ? "" : ", or every file excluded") + "; did the command before the pipe fail?)"));
        }
        String defaultNamespace = namespace != null ? namespace : "default";
        Origin origin = Origin.manifest(mutation(engine));
        if (fix != null) {
            // The manifests go to stdout; what could not be read is said on stderr.
            errors.forEach(e -> err.println("audit: " + e.source() + (e.line() > 0 ? ":" + e.line() : "") + ": " + e.message()));
            Function<Document, Plan> planOf = d -> AuditReport.audit(engine, d, origin, defaultNamespace).map(AuditedObject::plan)
                    .orElse(Plan.NONE);
            List<String> said = new ArrayList<>();
            String text;
            try {
                text = fix.equals("patches") ? KustomizePatches.render(read.documents(), planOf)
                        : FixedManifests.renderOps(read.documents(), d -> ComposeService.isCompose(d.object())
                                ? composeOps(engine, d, said) : planOf.apply(d).ops());
            } catch (RuntimeException e) {
                err.println("audit: --fix could not rewrite the manifests: " + e.getMessage());
                return ExitCodes.USAGE;
            }
            said.forEach(line -> err.println("audit: " + line));
            write(text, StandardCharsets.UTF_8);
            return errors.isEmpty() ? ExitCodes.OK : ExitCodes.USAGE;
        }
        // Compose files are judged service by service, as the pods they amount to (no webhook runs for them).
        List<Document> manifests = read.documents().stream().filter(d -> !ComposeService.isCompose(d.object())).toList();
        List<AuditedObject> services = read.documents().stream().filter(d -> ComposeService.isCompose(d.object()))
                .flatMap(d -> Compose.audit(engine, d).stream()).toList();
        AuditReport report = AuditReport.of(engine, manifests, List.of(), effective, origin, defaultNamespace)
                .withObjects(services).withErrors(errors);
        return report(report, reportFormat, effective, err);
    }

    /**
     * Compose's rendering of the plan ({@code read_only}, {@code tmpfs}) as {@code add} operations on the service,
     * so that the YAML as written is edited in place like a manifest's.
     */
    private static List<Plan.Op> composeOps(Judge engine, Document d, List<String> said) {
        JsonNode fixed = Compose.fix(engine, d, said);
        List<Plan.Op> ops = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = fixed.path("services").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> service = it.next();
            JsonNode before = d.object().path("services").path(service.getKey());
            for (String field : List.of("read_only", "tmpfs")) {
                JsonNode value = service.getValue().get(field);
                if (value != null && !value.equals(before.get(field))) {
                    ops.add(new Plan.Op("/services/" + service.getKey().replace("~", "~0").replace("/", "~1") + "/" + field,
                            value, "compose"));
                }
            }
        }
        return ops;
    }

    private int usage(String message) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("audit: " + message);
        err.println("Try 'rofs-guard audit --help' for more information.");
        return ExitCodes.USAGE;
    }

    /** Whether the mutating webhook runs for the audited objects: configured, and not turned off here. */
    private boolean mutation(Judge engine) {
        return engine.config().mutation().enabled() && !noMutation;
    }

    private int auditCluster(Judge engine, Mode effective, ReportFormat reportFormat, PrintWriter err) throws IOException {
        if (allNamespaces && namespace != null) {
            return usage("-n and -A exclude each other");
        }
        Optional<String> missing = ClusterAccess.missingKubeconfig(kubeconfig);
        if (missing.isPresent()) {
            err.println("audit: " + missing.get());
            return ExitCodes.USAGE;
        }
        AuditReport report;
        try {
            Config clientConfig = ClusterAccess.config(kubeconfig, context);
            try (KubernetesClient client = new KubernetesClientBuilder().withConfig(clientConfig).build()) {
                ClusterAudit audit = new ClusterAudit(client, engine, Origin.live(mutation(engine)), pageSize,
                        System.console() != null ? err : null, err);
                report = audit.run(namespace, selector, effective);
            }
        } catch (ClusterAccess.NoSuchContext e) {
            err.println("audit: " + e.getMessage());
            return ExitCodes.USAGE;
        } catch (KubernetesClientException e) {
            err.println("audit: cannot list the cluster" + ClusterAccess.where(context) + ": " + ClusterAccess.reason(e));
            return ExitCodes.USAGE;
        }
        return report(report, reportFormat, effective, err);
    }

    private int report(AuditReport report, ReportFormat reportFormat, Mode effective, PrintWriter err) throws IOException {
        for (ManifestError e : report.errors()) {
            err.println("audit: " + e.source() + (e.line() > 0 ? ":" + e.line() : "") + ": " + e.message());
        }
        err.flush();
        Charset charset = StandardCharsets.UTF_8;
        String out = switch (reportFormat) {
            case TEXT -> {
                charset = outputFile != null ? StandardCharsets.UTF_8 : Cli.terminalCharset();
                Paint paint = new Paint(colour(), Cli.unicode(charset));
                yield quiet ? TextReport.quiet(report, paint) : TextReport.render(report, paint);
            }
            case JSON -> AdmissionReviews.toPrettyString(JsonReport.render(report)) + "\n";
            case SARIF -> AdmissionReviews.mapper().writerWithDefaultPrettyPrinter()
                    .writeValueAsString(SarifReport.render(report, version(), sarifRoot != null ? sarifRoot : Path.of(""))) + "\n";
            case JUNIT -> JunitReport.render(report);
            case POLICYREPORT -> policyReports(report);
        };
        write(out, charset);
        if (!report.errors().isEmpty()) {
            return ExitCodes.USAGE;
        }
        return report.hasViolations() && effective == Mode.ENFORCE ? ExitCodes.VIOLATIONS : ExitCodes.OK;
    }

    private static String policyReports(AuditReport report) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setIndicatorIndent(2);
        options.setIndentWithIndicator(true);
        Yaml yaml = new Yaml(options);
        StringBuilder s = new StringBuilder();
        for (ObjectNode r : PolicyReportRender.render(report, Instant.now())) {
            s.append(s.length() == 0 ? "" : "---\n").append(yaml.dump(AdmissionReviews.mapper().convertValue(r, Object.class)));
        }
        return s.toString();
    }

    private boolean colour() {
        return color.equals("always") || (color.equals("auto") && outputFile == null && System.getenv("NO_COLOR") == null
                && picocli.CommandLine.Help.Ansi.AUTO.enabled());
    }

    private void write(String text, Charset charset) throws IOException {
        if (outputFile != null) {
            Files.writeString(outputFile, text, StandardCharsets.UTF_8);
        } else {
            // Machine formats are UTF-8 whatever the locale; text follows the terminal's charset.
            spec.commandLine().getOut().flush();
            PrintStream out = System.out;
            out.write(text.getBytes(charset));
            out.flush();
        }
    }

    private static String version() {
        String v = AuditCommand.class.getPackage().getImplementationVersion();
        return v != null ? v : "development";
    }
}

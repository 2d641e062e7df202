package dev.rofsguard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.rofsguard.admission.AdmissionReviews;
import dev.rofsguard.config.ConfigException;
import dev.rofsguard.config.PolicyLoader;
import dev.rofsguard.manifest.Document;
import dev.rofsguard.manifest.ManifestError;
import dev.rofsguard.manifest.ManifestReader;
import dev.rofsguard.policy.Mode;
import dev.rofsguard.engine.Judge;
import dev.rofsguard.engine.Origin;
import dev.rofsguard.mutation.Plan;
import dev.rofsguard.report.AuditedObject;
import io.fabric8.zjsonpatch.JsonPatch;
import dev.rofsguard.report.AuditReport;
import dev.rofsguard.report.JsonReport;
import dev.rofsguard.report.JunitReport;
import dev.rofsguard.report.ReportFormat;
import dev.rofsguard.report.SarifReport;
import dev.rofsguard.report.TextReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Audits manifests offline with the admission engine: {@code helm template … | rofs-guard audit -}. */
@Command(name = "audit", description = "Audit manifests (YAML/JSON files, directories, or - for stdin) with the webhook's engine.%n"
        + "Exit codes: 0 nothing to fix, 1 violations found in enforce mode, 2 usage or input errors.")
final class AuditCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "PATH", description = "manifest files or directories, or - for stdin")
    List<String> inputs;

    @Option(names = "--cluster", description = "audit what runs in the cluster (kubeconfig or in-cluster service account) instead of files")
    boolean cluster;

    @Option(names = {"-n", "--cluster-namespace"}, paramLabel = "NS", description = "with --cluster: only this namespace (default: all)")
    String clusterNamespace;

    @Option(names = {"-l", "--selector"}, paramLabel = "SELECTOR", description = "with --cluster: label selector")
    String selector;

    @Option(names = "--page-size", paramLabel = "N", defaultValue = "500", description = "with --cluster: objects per list page (default: ${DEFAULT-VALUE})")
    int pageSize;

    @Option(names = "--mode", paramLabel = "MODE", converter = Inputs.ModeConverter.class, description = "enforce (fail on violations), warn or audit (report only); default: the policy's mode")
    Mode mode;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "policy file over the built-in defaults")
    Path config;

    @Option(names = {"-o", "--format"}, paramLabel = "FORMAT", defaultValue = "text", description = "text, json, sarif or junit")
    String format;

    @Option(names = "--output-file", paramLabel = "FILE", description = "write the report here instead of stdout")
    Path outputFile;

    @Option(names = "--namespace", paramLabel = "NS", defaultValue = "default", description = "namespace of objects that name none (default: ${DEFAULT-VALUE})")
    String namespace;

    @Option(names = "--color", paramLabel = "WHEN", defaultValue = "auto", description = "auto (on a terminal), always or never")
    String color;

    @Option(names = "--fix", arity = "0..1", fallbackValue = "manifests", paramLabel = "manifests|patches",
            description = "print the manifests with the mutation applied (catalog volumes and the flag), in document order; "
                    + "or, with --fix=patches, kustomize JSON 6902 patches, one per workload")
    String fix;

    @Option(names = "--no-mutation", description = "judge as /validate/<mode>/no-mutation: do not count on rofs-guard's "
            + "mutating webhook (for namespaces routed away from it, or clusters without it)")
    boolean noMutation;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        Mode chosen = mode;
        ReportFormat reportFormat;
        try {
            reportFormat = ReportFormat.parse(format);
        } catch (IllegalArgumentException e) {
            err.println("audit: --format '" + format + "' is not one of text, json, sarif, junit");
            return ExitCodes.USAGE;
        }
        if (fix != null && !fix.equals("manifests") && !fix.equals("patches")) {
            err.println("audit: --fix takes manifests (the default) or patches, not '" + fix + "'");
            return ExitCodes.USAGE;
        }
        Judge engine;
        try {
            engine = new Judge(PolicyLoader.load(config, null));
        } catch (ConfigException e) {
            err.println("audit: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        Mode effective = chosen != null ? chosen : engine.config().defaultMode();
        if (cluster) {
            return auditCluster(engine, effective, reportFormat, err);
        }
        if (inputs == null || inputs.isEmpty()) {
            err.println("audit: give manifest paths, - for stdin, or --cluster");
            return ExitCodes.USAGE;
        }
        ManifestReader.Result read = ManifestReader.read(inputs, System.in);
        Origin origin = Origin.manifest(mutation(engine));
        if (fix != null) {
            // The manifests go to stdout; what could not be read is said on stderr (the report carries it otherwise).
            for (ManifestError e : read.errors()) {
                err.println("audit: " + e.source() + ":" + e.line() + ": " + e.message());
            }
            write(fix.equals("patches") ? patches(engine, origin, read.documents()) : fixed(engine, origin, read.documents()));
            return read.errors().isEmpty() ? ExitCodes.OK : ExitCodes.USAGE;
        }
        AuditReport report = AuditReport.of(engine, read.documents(), read.errors(), effective, origin, namespace);
        return report(report, reportFormat, effective);
    }

    /** Whether the mutating webhook runs for the audited objects: configured, and not turned off here. */
    private boolean mutation(Judge engine) {
        return engine.config().mutation().enabled() && !noMutation;
    }

    private int auditCluster(Judge engine, Mode effective, ReportFormat reportFormat, PrintWriter err) throws IOException {
        if (fix != null || (inputs != null && !inputs.isEmpty())) {
            err.println("audit: --cluster takes no paths and no --fix");
            return ExitCodes.USAGE;
        }
        AuditReport report;
        try (io.fabric8.kubernetes.client.KubernetesClient client = new io.fabric8.kubernetes.client.KubernetesClientBuilder().build()) {
            ClusterAudit audit = new ClusterAudit(client, engine, Origin.live(mutation(engine)), pageSize,
                    System.console() != null ? err : null, err);
            report = audit.run(clusterNamespace, selector, effective);
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            err.println("audit: cannot list the cluster: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        return report(report, reportFormat, effective);
    }

    private int report(AuditReport report, ReportFormat reportFormat, Mode effective) throws IOException {
        String out = switch (reportFormat) {
            case TEXT -> TextReport.render(report, colour());
            case JSON -> AdmissionReviews.toPrettyString(JsonReport.render(report)) + "\n";
            case SARIF -> AdmissionReviews.mapper().writerWithDefaultPrettyPrinter()
                    .writeValueAsString(SarifReport.render(report, version())) + "\n";
            case JUNIT -> JunitReport.render(report);
        };
        write(out);
        if (!report.errors().isEmpty()) {
            return ExitCodes.USAGE;
        }
        return report.hasViolations() && effective == Mode.ENFORCE ? ExitCodes.VIOLATIONS : ExitCodes.OK;
    }

    private boolean colour() {
        return color.equals("always") || (color.equals("auto") && outputFile == null && System.console() != null
                && System.getenv("NO_COLOR") == null);
    }

    private void write(String text) throws IOException {
        if (outputFile != null) {
            Files.writeString(outputFile, text, StandardCharsets.UTF_8);
        } else {
            PrintWriter out = spec.commandLine().getOut();
            out.print(text);
            out.flush();
        }
    }

    private static ObjectMapper yaml() {
        return new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES).enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR));
    }

    /** Each document with its plan applied (the same plan the webhook would send), in document order. */
    private String fixed(Judge engine, Origin origin, List<Document> documents) throws IOException {
        ObjectMapper yaml = yaml();
        StringBuilder s = new StringBuilder();
        for (Document d : documents) {
            JsonNode object = AuditReport.audit(engine, d, origin, namespace).map(AuditedObject::plan)
                    .filter(p -> !p.isEmpty()).map(p -> JsonPatch.apply(p.jsonPatch(), d.object())).orElse(d.object());
            s.append(s.length() == 0 ? "" : "---\n").append(yaml.writeValueAsString(object));
        }
        return s.toString();
    }

    /** A kustomization fragment: JSON 6902 patches (the plan's operations), one per workload, kept beside the sources. */
    private String patches(Judge engine, Origin origin, List<Document> documents) throws IOException {
        ObjectNode root = AdmissionReviews.mapper().createObjectNode();
        ArrayNode list = root.putArray("patches");
        for (Document d : documents) {
            JsonNode o = d.object();
            if (o.path("metadata").path("name").asText("").isEmpty()) {
                continue;
            }
            Plan plan = AuditReport.audit(engine, d, origin, namespace).map(AuditedObject::plan).orElse(Plan.NONE);
            if (plan.isEmpty()) {
                continue;
            }
            String apiVersion = o.path("apiVersion").asText("");
            String ns = o.path("metadata").path("namespace").asText("");
            ObjectNode p = list.addObject();
            ObjectNode target = p.putObject("target");
            int slash = apiVersion.indexOf('/');
            if (slash > 0) {
                target.put("group", apiVersion.substring(0, slash));
            }
            target.put("version", apiVersion.substring(slash + 1)).put("kind", o.path("kind").asText())
                    .put("name", o.path("metadata").path("name").asText());
            if (!ns.isEmpty()) {
                target.put("namespace", ns);
            }
            p.put("patch", yaml().writeValueAsString(plan.jsonPatch()));
        }
        String text = yaml().writeValueAsString(root);
        return "# rofs-guard: add these to kustomization.yaml (patches:). Generated from the catalog of known images.\n"
                + text + (text.endsWith("\n") ? "" : "\n");
    }

    private static String version() {
        String v = AuditCommand.class.getPackage().getImplementationVersion();
        return v != null ? v : "development";
    }
}

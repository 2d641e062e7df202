package dev.rofsguard.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.rofsguard.engine.EngineConfig;
import dev.rofsguard.export.NativePolicies;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Compiles the policy to objects the API server runs itself. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Print the policy as ValidatingAdmissionPolicies and their bindings (one per mode, routed by the "
                + "namespace label rofs-guard.dev/mode) and the catalog's mutation as MutatingAdmissionPolicies and their "
                + "bindings, with where the native engine differs from the webhook as comments.%n"
                + "Validation needs Kubernetes 1.30+, mutation 1.36+ (admissionregistration.k8s.io/v1).%n"
                + "Exit codes: 0 printed, 2 bad input or configuration.")
final class ExportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--native", required = true, description = "Validating- and MutatingAdmissionPolicy (admissionregistration.k8s.io/v1)")
    boolean nativePolicies;

    @Option(names = "--hybrid", description = "the native policies leave to the webhook what they cannot do exactly; prints the "
            + "matchCondition the webhooks then need as a comment")
    boolean hybrid;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "policy file over the built-in defaults")
    Path config;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        Optional<EngineConfig> loaded = Cli.config(spec, config, null);
        if (loaded.isEmpty()) {
            return ExitCodes.USAGE;
        }
        EngineConfig engine = loaded.get();
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory().enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR).disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER));
        out.println("# rofs-guard policy compiled to ValidatingAdmissionPolicy and MutatingAdmissionPolicy. Where it differs from the webhook:");
        NativePolicies.LIMITS.forEach(l -> out.println("#  - " + l));
        if (hybrid) {
            out.println("# Hybrid: add this matchCondition (name: sent-to-the-webhook) to every rofs-guard validating webhook:");
            out.println("#   " + NativePolicies.webhookCondition(engine, false));
            out.println("# and this one to every rofs-guard mutating webhook:");
            out.println("#   " + NativePolicies.webhookCondition(engine, true));
        }
        for (ObjectNode o : NativePolicies.compile(engine, hybrid)) {
            out.println("---");
            out.print(yaml.writeValueAsString(o));
        }
        out.flush();
        return ExitCodes.OK;
    }
}

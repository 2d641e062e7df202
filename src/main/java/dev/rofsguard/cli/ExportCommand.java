package dev.rofsguard.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.rofsguard.config.ConfigException;
import dev.rofsguard.config.PolicyLoader;
import dev.rofsguard.engine.EngineConfig;
import dev.rofsguard.export.NativePolicies;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Compiles the policy to objects the API server runs itself. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Print the policy as ValidatingAdmissionPolicies and their bindings (one per mode, routed by the "
                + "namespace label rofs-guard.dev/mode), with what the native engine does not cover as comments.%n"
                + "Exit codes: 0 printed, 2 bad input or configuration.")
final class ExportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--native", required = true, description = "ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1, Kubernetes 1.30+)")
    boolean nativePolicies;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "policy file over the built-in defaults")
    Path config;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        EngineConfig engine;
        try {
            engine = PolicyLoader.load(config, null);
        } catch (ConfigException e) {
            spec.commandLine().getErr().println("export: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory().enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR).disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER));
        out.println("# rofs-guard policy compiled to ValidatingAdmissionPolicy. Not covered natively (use the webhook for these):");
        NativePolicies.LIMITS.forEach(l -> out.println("#  - " + l));
        for (ObjectNode o : NativePolicies.compile(engine)) {
            out.println("---");
            out.print(yaml.writeValueAsString(o));
        }
        out.flush();
        return ExitCodes.OK;
    }
}

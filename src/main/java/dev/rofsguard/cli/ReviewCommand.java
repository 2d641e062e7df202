package dev.rofsguard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rofsguard.engine.EngineConfig;
import dev.rofsguard.admission.AdmissionAnswer;
import dev.rofsguard.admission.AdmissionReviews;
import dev.rofsguard.admission.MutatingAdmission;
import dev.rofsguard.admission.ValidatingAdmission;
import dev.rofsguard.policy.Mode;
import dev.rofsguard.engine.Judge;
import java.io.IOException;
import java.io.PrintWriter;
import dev.rofsguard.manifest.Document;
import dev.rofsguard.manifest.ManifestReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Prints the response the webhook would send for one AdmissionReview. */
@Command(name = "review", description = "Answer one AdmissionReview (file, or - for stdin) as the webhook would:%n"
        + "POST /validate, or with --mutate POST /mutate.%n"
        + "Exit codes: 0 allowed, 1 denied, 2 bad input or configuration.")
final class ReviewCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "REVIEW", description = "AdmissionReview JSON file, or - for stdin")
    String input;

    @Option(names = "--mode", paramLabel = "MODE", converter = Inputs.ModeConverter.class, description = "enforce, warn or audit (default: the policy's mode)")
    Mode mode;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "policy file over the built-in defaults")
    Path config;

    @Option(names = "--mutate", description = "answer as POST /mutate (the JSON Patch the mutation would apply)")
    boolean mutate;

    @Option(names = "--no-mutation", description = "validate as /validate/<mode>/no-mutation: do not count on the mutation for workloads")
    boolean noMutation;

    @Option(names = "--namespace-self", paramLabel = "NS", description = "the webhook's own namespace (exempt)")
    String ownNamespace;

    /**
     * What the input is when it is a Kubernetes object other than an AdmissionReview (a Deployment piped in by
     * mistake), in YAML or JSON; empty when it is a review, or not an object at all (the webhook's answer explains).
     */
    static Optional<String> notAReview(byte[] body) {
        List<Document> documents = new ArrayList<>();
        ManifestReader.parse("-", new String(body, StandardCharsets.UTF_8), documents, new ArrayList<>());
        if (documents.isEmpty()) {
            return Optional.empty();
        }
        JsonNode first = documents.get(0).object();
        String kind = first.path("kind").asText("");
        if (kind.equals("AdmissionReview") || kind.isEmpty()) {
            return Optional.empty();
        }
        String name = first.path("metadata").path("name").asText("");
        return Optional.of((documents.size() > 1 ? documents.size() + " manifest documents, the first " : "")
                + "a " + kind + (name.isEmpty() ? "" : " (" + name + ")"));
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Mode chosen = mode;
        Optional<EngineConfig> loaded = Cli.config(spec, config, ownNamespace);
        if (loaded.isEmpty()) {
            return ExitCodes.USAGE;
        }
        Judge engine = new Judge(loaded.get());
        Optional<byte[]> read = Inputs.read("review", input, err);
        if (read.isEmpty()) {
            return ExitCodes.USAGE;
        }
        byte[] body = read.get();
        Optional<String> notAReview = notAReview(body);
        if (notAReview.isPresent()) {
            err.println("review: " + (input.equals("-") ? "stdin" : input) + " is " + notAReview.get()
                    + ", not an AdmissionReview; to check manifests run: rofs-guard audit " + input);
            return ExitCodes.USAGE;
        }
        AdmissionAnswer answer = mutate ? new MutatingAdmission(() -> engine).mutate(body)
                : new ValidatingAdmission(() -> engine).validate(body, chosen, !noMutation);
        try {
            JsonNode json = AdmissionReviews.mapper().readTree(answer.body());
            out.println(AdmissionReviews.toPrettyString(json));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        out.flush();
        if (answer instanceof AdmissionAnswer.Rejected) {
            err.println("review: " + input + " is not an AdmissionReview v1 the webhook can answer (HTTP " + answer.status() + ")");
            return ExitCodes.USAGE;
        }
        return answer instanceof AdmissionAnswer.Validated v && !v.decision().allowed() ? ExitCodes.VIOLATIONS : ExitCodes.OK;
    }
}

package dev.rofsguard.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rofsguard.Fixtures;
import dev.rofsguard.admission.AdmissionRequest;
import dev.rofsguard.admission.AdmissionReviews;
import dev.rofsguard.engine.Judge;
import dev.rofsguard.engine.Origin;
import dev.rofsguard.export.NativePolicies;
import dev.rofsguard.policy.Decision;
import dev.rofsguard.policy.Mode;
import dev.rofsguard.policy.Operation;
import dev.rofsguard.policy.Outcome;
import dev.rofsguard.policy.Verdict;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The exported ValidatingAdmissionPolicies on the real API server: every CREATE fixture is created (server-side
 * dry-run) in a namespace the enforce binding routes, and the API server's answer must be the Java judge's answer
 * for /validate/enforce/no-mutation (the native engine does not mutate yet). Then the added create latency,
 * native against none, on the same server in one run.
 */
@ExtendWith(KubeApiServer.class)
class NativeAdmissionE2E {

    private static final String NS = "native";
    private static final Judge JUDGE = Fixtures.engine("-");
    private static KubernetesClient k;
    /** As compiled (no resourceVersion), to create again. */
    private static final List<GenericKubernetesResource> installed = new ArrayList<>();

    @BeforeAll
    static void install() throws Exception {
        k = KubeApiServer.client();
        k.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).createOr(r -> r.update());
        for (ObjectNode o : NativePolicies.compile(JUDGE.config())) {
            GenericKubernetesResource r = k.getKubernetesSerialization().unmarshal(o.toString(), GenericKubernetesResource.class);
            k.resource(r).createOr(x -> x.update());
            installed.add(r);
        }
        // Bindings take effect asynchronously: wait until a pod without the flag is denied.
        long deadline = System.currentTimeMillis() + 60_000;
        while (!denied(pod("probe", false))) {
            assertThat(System.currentTimeMillis()).as("the native policy never took effect").isLessThan(deadline);
            Thread.sleep(500);
        }
    }

    @AfterAll
    static void uninstall() {
        if (k != null) {
            installed.forEach(r -> k.resource(r).delete());
        }
    }

    static GenericKubernetesResource pod(String name, boolean readOnly) {
        String json = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"" + NS + "\"},"
                + "\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"ghcr.io/acme/api:1\",\"securityContext\":"
                + "{\"readOnlyRootFilesystem\":" + readOnly + "}}]}}";
        return k.getKubernetesSerialization().unmarshal(json, GenericKubernetesResource.class);
    }

    /** Server-side dry-run create: true when a validation denied it (403 Forbidden, as the policy says). */
    static boolean denied(GenericKubernetesResource r) {
        try {
            k.resource(r).dryRun().create();
            return false;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 403 && e.getMessage().contains("rofs-guard")) {
                return true;
            }
            throw e;
        }
    }

    @Test
    void theApiServerDeniesWhatTheJudgeDenies() throws Exception {
        List<String> compared = new ArrayList<>();
        try (Stream<Path> files = Files.list(Fixtures.path("admission"))) {
            for (String fixture : files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted().toList()) {
                AdmissionRequest request = AdmissionReviews.parse(Fixtures.review(fixture));
                if (request.operation() != Operation.CREATE || request.object() == null || !request.object().isObject()
                        || request.subResource() != null) {
                    continue;
                }
                ObjectNode object = request.object().deepCopy();
                ObjectNode meta = object.with("metadata");
                meta.put("namespace", NS);
                meta.remove(List.of("uid", "resourceVersion", "creationTimestamp", "ownerReferences", "managedFields"));
                if (!meta.hasNonNull("name") || meta.path("name").asText().isEmpty()) {
                    meta.put("name", fixture.replace(".json", "").replaceAll("[^a-z0-9-]", "-"));
                }
                AdmissionRequest here = new AdmissionRequest(request.uid(), request.group(), request.version(), request.kind(),
                        null, meta.path("name").asText(), NS, Operation.CREATE, true, object, null);
                Verdict verdict = JUDGE.judge(here.subject(), Origin.admission(false)).verdict();
                if (verdict.outcome() == Outcome.ERROR || !JUDGE.judges(here.subject())) {
                    continue; // left to the API server's own validation, or not a kind the policy matches
                }
                boolean webhookDenies = !Decision.decide(verdict, Mode.ENFORCE, JUDGE.config().policy()).allowed();
                GenericKubernetesResource r = k.getKubernetesSerialization().unmarshal(object.toString(), GenericKubernetesResource.class);
                boolean nativeDenies;
                try {
                    nativeDenies = denied(r);
                } catch (KubernetesClientException e) {
                    if (e.getCode() == 422 || e.getCode() == 400) {
                        continue; // the API server's own validation refused the fixture's shape
                    }
                    throw e;
                }
                assertThat(nativeDenies).as(fixture + ": " + verdict.reason()).isEqualTo(webhookDenies);
                compared.add(fixture);
            }
        }
        assertThat(compared).as("fixtures compared on the API server").hasSizeGreaterThan(15);
        Files.createDirectories(KubeApiServer.WORK);
        Files.writeString(KubeApiServer.WORK.resolve("native-differential.txt"), String.join("\n", compared) + "\n");
    }

    /** A measurement; what it checks is that every compliant create is admitted under the policies (create throws). */
    @Test
    void latencyNativeAgainstNone() throws Exception {
        int n = 200;
        double with = meanCreateMillis(n, "with");
        installed.stream().filter(r -> r.getKind().endsWith("Binding")).forEach(r -> k.resource(r).delete());
        Thread.sleep(2000);
        double without = meanCreateMillis(n, "without");
        installed.stream().filter(r -> r.getKind().endsWith("Binding")).forEach(r -> k.resource(r).create());
        String line = String.format("pod create (compliant, not dry-run), %d each, same API server, one run: native %.2f ms, none %.2f ms, added %.2f ms%n",
                n, with, without, with - without);
        Files.createDirectories(KubeApiServer.WORK);
        Files.writeString(KubeApiServer.WORK.resolve("native-latency.txt"), line);
    }

    private static double meanCreateMillis(int n, String prefix) {
        for (int i = 0; i < 20; i++) { // warm the connection and the server's caches
            k.resource(pod(prefix + "-warm-" + i, true)).create();
        }
        long total = 0;
        for (int i = 0; i < n; i++) {
            GenericKubernetesResource p = pod(prefix + "-" + i, true);
            long t = System.nanoTime();
            k.resource(p).create();
            total += System.nanoTime() - t;
        }
        return total / 1e6 / n;
    }
}

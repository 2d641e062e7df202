package dev.rofsguard.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rofsguard.Fixtures;
import dev.rofsguard.manifest.Document;
import dev.rofsguard.manifest.ManifestReader;
import dev.rofsguard.policy.Mode;
import dev.rofsguard.policy.Outcome;
import dev.rofsguard.report.AuditReport;
import dev.rofsguard.engine.Origin;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** deploy/ as kubectl would read it: every object typed with nothing left over, and we eat our own food. */
public class DeployManifestsTest {

    static final Path DEPLOY = Path.of("deploy");

    public static List<Document> documents() {
        ManifestReader.Result r = ManifestReader.read(List.of(DEPLOY.toString()), InputStream.nullInputStream());
        assertThat(r.errors()).isEmpty();
        return r.documents().stream().filter(d -> !Set.of("Kustomization", "Component").contains(d.object().path("kind").asText())).toList();
    }

    static List<HasMetadata> typed() throws Exception {
        List<HasMetadata> out = new java.util.ArrayList<>();
        for (Document d : documents()) {
            out.add(ManifestChecks.typed(dev.rofsguard.admission.AdmissionReviews.mapper().writeValueAsString(d.object())));
        }
        return out;
    }

    @Test
    void theResourceQuotaCoversThePriorityClassOfTheDeployment() throws Exception {
        List<HasMetadata> objects = typed();
        Deployment d = HelmChartTest.ofKind(objects, Deployment.class).get(0);
        ResourceQuota q = HelmChartTest.ofKind(objects, ResourceQuota.class).get(0);
        assertThat(q.getSpec().getScopeSelector().getMatchExpressions()).singleElement().satisfies(e -> {
            assertThat(e.getScopeName()).isEqualTo("PriorityClass");
            assertThat(e.getValues()).containsExactly(d.getSpec().getTemplate().getSpec().getPriorityClassName());
        });
        // Every replica plus the rolling update's surge fits.
        assertThat(Integer.parseInt(q.getSpec().getHard().get("pods").getAmount()))
                .isGreaterThanOrEqualTo(d.getSpec().getReplicas() + d.getSpec().getStrategy().getRollingUpdate().getMaxSurge().getIntVal());
        assertThat(q.getMetadata().getNamespace()).isEqualTo(d.getMetadata().getNamespace());
    }

    @Test
    void selectorsOfThePdbAndTheNetworkPolicyComponentMatchTheDeploymentPods() throws Exception {
        List<HasMetadata> objects = typed();
        Deployment d = HelmChartTest.ofKind(objects, Deployment.class).get(0);
        Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
        PodDisruptionBudget pdb = HelmChartTest.ofKind(objects, PodDisruptionBudget.class).get(0);
        assertThat(podLabels).containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
        assertThat(d.getSpec().getReplicas()).isGreaterThan(pdb.getSpec().getMinAvailable().getIntVal());
        NetworkPolicy np = HelmChartTest.ofKind(objects, NetworkPolicy.class).get(0);
        assertThat(podLabels).containsAllEntriesOf(np.getSpec().getPodSelector().getMatchLabels());
        assertThat(np.getSpec().getIngress()).flatExtracting(r -> r.getPorts()).extracting(p -> p.getPort().getIntVal())
                .containsExactlyElementsOf(d.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts().stream()
                        .map(p -> p.getContainerPort()).toList());
        assertThat(Files.readString(DEPLOY.resolve("components/networkpolicy/kustomization.yaml"))).contains("- networkpolicy.yaml");
    }

    @Test
    void everyObjectReadsIntoItsTypedClassWithNothingLeftOver() throws Exception {
        for (Document d : documents()) {
            HasMetadata o = ManifestChecks.typed(dev.rofsguard.admission.AdmissionReviews.mapper().writeValueAsString(d.object()));
            if (d.object().path("apiVersion").asText().startsWith("cert-manager.io/")) {
                assertThat(o).isInstanceOf(GenericKubernetesResource.class); // a CRD fabric8 does not model
                continue;
            }
            assertThat(o).as(d.source()).isNotInstanceOf(GenericKubernetesResource.class);
            ManifestChecks.assertFullyTyped(o, d.source() + ":" + d.line());
        }
    }

    @Test
    void theLeftoverCheckCatchesATypo() {
        HasMetadata typo = ManifestChecks.typed("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  template:\n"
                + "    spec:\n      containers:\n        - {name: a, image: b, securityContex: {readOnlyRootFilesystem: true}}\n");
        assertThat(ManifestChecks.leftovers(typo)).singleElement().asString().contains("securityContex");
    }

    @Test
    void kustomizationListsEveryFile() throws Exception {
        String kustomization = Files.readString(DEPLOY.resolve("kustomization.yaml"));
        try (var files = Files.list(DEPLOY)) {
            Set<String> yaml = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml"))
                    .collect(Collectors.toSet());
            assertThat(yaml).isNotEmpty().allSatisfy(f -> assertThat(kustomization).contains("- " + f));
        }
    }

    @Test
    void ourOwnDeploymentPassesOurOwnAuditWithoutTheMutation() throws Exception {
        AuditReport report = AuditReport.of(Fixtures.engine("mutation-off.yaml"), documents(), List.of(), Mode.ENFORCE, Origin.manifest(false), "rofs-guard");
        // The Deployment, and the engine components' Jobs: every workload deploy/ ships is hardened.
        assertThat(report.objects()).extracting(o -> o.kind()).containsExactlyInAnyOrder("Deployment", "Job", "Job");
        assertThat(report.objects()).allSatisfy(o -> assertThat(o.verdict().outcome()).as(o.verdict().reason()).isEqualTo(Outcome.PASS));
    }

    @Test
    void webhookEntriesAreMutuallyExclusiveAndFailOnlyForEnforce() throws Exception {
        Document d = documents().stream().filter(x -> x.object().path("kind").asText().equals("ValidatingWebhookConfiguration"))
                .findFirst().orElseThrow();
        ValidatingWebhookConfiguration v = (ValidatingWebhookConfiguration) ManifestChecks.typed(
                dev.rofsguard.admission.AdmissionReviews.mapper().writeValueAsString(d.object()));
        assertThat(v.getWebhooks()).hasSize(6).allSatisfy(w -> {
            assertThat(w.getAdmissionReviewVersions()).containsExactly("v1");
            assertThat(w.getSideEffects()).isEqualTo("None");
            assertThat(w.getMatchPolicy()).isEqualTo("Equivalent");
            assertThat(w.getTimeoutSeconds()).isNotNull();
            assertThat(w.getFailurePolicy()).isEqualTo(w.getName().startsWith("enforce") ? "Fail" : "Ignore");
            assertThat(w.getRules()).anySatisfy(r -> assertThat(r.getResources()).contains("pods/ephemeralcontainers"));
        });
        // For every combination of labels, exactly one entry matches: the labelled mode's, and for a namespace with no
        // mode label the policy's default mode (warn as shipped: installing deploy/ denies nothing by itself).
        java.nio.file.Path policy = Files.createTempFile("deploy-policy", ".yaml");
        String defaultMode;
        try {
            Files.writeString(policy, documents().stream().filter(x -> x.object().at("/metadata/name").asText().equals("rofs-guard-policy"))
                    .findFirst().orElseThrow().object().at("/data/policy.yaml").asText());
            defaultMode = dev.rofsguard.config.PolicyLoader.load(policy, "rofs-guard").defaultMode().label();
        } finally {
            Files.delete(policy);
        }
        assertThat(defaultMode).isEqualTo("warn");
        for (String mode : new String[] {null, "enforce", "warn", "audit", "off"}) {
            for (String mutation : new String[] {null, "off"}) {
                List<String> matching = v.getWebhooks().stream().filter(w -> w.getNamespaceSelector().getMatchExpressions().stream()
                        .allMatch(e -> {
                            String value = e.getKey().equals("rofs-guard.dev/mode") ? mode
                                    : e.getKey().equals("rofs-guard.dev/mutation") ? mutation : "shop";
                            boolean in = value != null && e.getValues().contains(value);
                            return e.getOperator().equals("In") ? in : !in;
                        })).map(w -> w.getName()).toList();
                String expected = "off".equals(mode) ? null
                        : (mode == null ? defaultMode : mode) + ("off".equals(mutation) ? "-no-mutation" : "") + ".validate.rofs-guard.dev";
                assertThat(matching).as("mode=" + mode + " mutation=" + mutation)
                        .isEqualTo(expected == null ? List.of() : List.of(expected));
            }
        }
    }
}

package dev.rofsguard.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import dev.rofsguard.Fixtures;
import dev.rofsguard.admission.AdmissionReviews;
import dev.rofsguard.config.PolicyLoader;
import dev.rofsguard.manifest.Document;
import dev.rofsguard.policy.Mode;
import dev.rofsguard.policy.Outcome;
import dev.rofsguard.report.AuditReport;
import dev.rofsguard.engine.Origin;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chart with real Helm (helm-java bundles it): every option renders, passes the schema and reads back into
 * fabric8's typed classes with nothing left over; bad values are refused by the schema; and what is rendered passes
 * rofs-guard's own audit. See {@link ChartRender} for how a Kubernetes version is chosen.
 */
public class HelmChartTest {

    static final Path CHART = ChartRender.CHART;

    /** The chart as the API server would receive it on a current cluster (used by the e2e dry-run too). */
    public static List<Document> render(Map<String, ?> values) {
        return ChartRender.render(values);
    }

    /** Every option of values.schema.json, set by at least one variant (checked by {@link #everyOptionIsExercised}). */
    /** The chart's value sets; the e2e tests dry-run each of them on a real API server. */
    public static final Map<String, Map<String, Object>> VARIANTS = variants();

    private static Map<String, Map<String, Object>> variants() {
        Map<String, Map<String, Object>> v = new LinkedHashMap<>();
        v.put("defaults", Map.of());
        v.put("enforce-without-mutation", Map.of("mode", "enforce", "mutation.enabled", "false"));
        v.put("existing-secret", Map.of("certificates.mode", "existingSecret", "certificates.existingSecret.name", "my-tls",
                "certificates.existingSecret.caBundle", "LS0tLS1CRUdJTg=="));
        v.put("built-in", Map.of("certificates.mode", "builtIn"));
        v.put("openshift", Map.of("podSecurityContext.runAsUser", "null", "podSecurityContext.runAsGroup", "null"));
        v.put("single-replica-no-priority", Map.of("replicas", "1", "priorityClassName", "", "hooks.deleteWebhookConfigurations.enabled", "false",
                "tests.enabled", "false"));
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("mode", "audit");
        all.put("replicas", "3");
        all.put("image.repository", "registry.example/rofs-guard");
        all.put("image.tag", "1.2.3");
        all.put("image.pullPolicy", "Always");
        all.put("global.imagePullSecrets[0].name", "from-parent");
        all.put("imagePullSecrets[0].name", "mine");
        all.put("nameOverride", "guard");
        all.put("fullnameOverride", "guard-prod");
        all.put("excludedNamespaces[0]", "legacy");
        all.put("webhook.timeoutSeconds", "3");
        all.put("webhook.failurePolicy.enforce", "Ignore");
        all.put("webhook.failurePolicy.warn", "Ignore");
        all.put("webhook.failurePolicy.audit", "Fail");
        all.put("webhook.failurePolicy.mutate", "Ignore");
        all.put("mutation.setReadOnlyRootFilesystem", "false");
        all.put("mutation.ephemeralContainers", "false");
        all.put("mutation.debugScratchVolume.enabled", "true");
        all.put("mutation.debugScratchVolume.sizeLimit", "32Mi");
        all.put("metrics.serviceMonitor.enabled", "true");
        all.put("metrics.serviceMonitor.interval", "15s");
        all.put("policy.exemptions.namespaces[0]", "kube-system");
        all.put("policy.exemptions.images[0]", "registry.k8s.io/pause");
        all.put("policy.exemptions.containers[0]", "shop/legacy");
        all.put("policy.exemptions.annotationNamespaces[0]", "legacy");
        all.put("policy.ephemeralContainers.mode", "enforce");
        all.put("catalog.defaults.sizeLimit", "64Mi");
        all.put("catalog.allImages.paths[0].path", "/tmp");
        all.put("catalog.allImages.paths[0].type", "scratch");
        all.put("catalog.entries[0].name", "my-app");
        all.put("catalog.entries[0].reason", "cache");
        all.put("catalog.entries[0].images[0]", "ghcr.io/acme/my-app");
        all.put("catalog.entries[0].paths[0].path", "/app/cache");
        all.put("resources.requests.cpu", "200m");
        all.put("jit", "c2");
        all.put("podSecurityContext.runAsUser", "1000");
        all.put("podSecurityContext.runAsGroup", "1000");
        all.put("podAnnotations.example\\.com/team", "platform");
        all.put("podLabels.team", "platform");
        all.put("nodeSelector.kubernetes\\.io/os", "linux");
        all.put("tolerations[0].key", "dedicated");
        all.put("tolerations[0].operator", "Exists");
        all.put("affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].key", "pool");
        all.put("affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator", "Exists");
        all.put("priorityClassName", "system-node-critical");
        all.put("priorityClassQuota.enabled", "true");
        all.put("priorityClassQuota.pods", "7");
        all.put("podDisruptionBudget.enabled", "true");
        all.put("podDisruptionBudget.minAvailable", "2");
        all.put("podDisruptionBudget.maxUnavailable", "1");
        all.put("shutdown.preStopSeconds", "3");
        all.put("shutdown.delaySeconds", "5");
        all.put("shutdown.timeoutSeconds", "5");
        all.put("networkPolicy.enabled", "true");
        all.put("networkPolicy.webhookFrom[0].ipBlock.cidr", "10.0.0.0/28");
        all.put("networkPolicy.managementFrom[0].namespaceSelector.matchLabels.name", "monitoring");
        all.put("hooks.deleteWebhookConfigurations.enabled", "true");
        all.put("hooks.resources.limits.memory", "320Mi");
        all.put("tests.enabled", "true");
        v.put("everything-switched", all);
        v.put("native", Map.of("engine", "native"));
        v.put("hybrid", Map.of("engine", "hybrid", "certificates.mode", "builtIn"));
        return v;
    }

    static Stream<Arguments> variantNames() {
        return VARIANTS.keySet().stream().map(Arguments::of);
    }

    static List<HasMetadata> typed(List<Document> docs) throws Exception {
        List<HasMetadata> out = new ArrayList<>();
        for (Document d : docs) {
            out.add(ManifestChecks.typed(AdmissionReviews.mapper().writeValueAsString(d.object())));
        }
        return out;
    }

    static <T> List<T> ofKind(List<HasMetadata> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    static String hook(HasMetadata o) {
        return o.getMetadata().getAnnotations() == null ? null : o.getMetadata().getAnnotations().get(ChartRender.HOOK);
    }

    @Test
    void lintIsClean() {
        LintResult result = new Helm(CHART).lint().strict().call();
        assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
    }

    @Test
    void theShippedChartRefusesKubernetesBelowItsFloor() {
        // Unmodified chart: helm-java renders as Kubernetes v1.20.0, which the kubeVersion floor refuses.
        assertThatThrownBy(() -> new Helm(CHART).template().withName("rofs-guard").call())
                .hasMessageContaining("kubeVersion: >=1.28.0-0").hasMessageContaining("v1.20.0");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variantNames")
    void everyVariantRendersFullyTypedAndPassesTheSchema(String variant) throws Exception {
        List<Document> docs = ChartRender.render(VARIANTS.get(variant));
        List<String> kinds = new ArrayList<>();
        for (HasMetadata o : typed(docs)) {
            kinds.add(o.getKind());
            String apiVersion = o.getApiVersion();
            if (apiVersion.startsWith("cert-manager.io/") || apiVersion.startsWith("monitoring.coreos.com/")) {
                assertThat(o).isInstanceOf(GenericKubernetesResource.class); // CRDs fabric8 does not model
                continue;
            }
            assertThat(o).as(o.getKind()).isNotInstanceOf(GenericKubernetesResource.class);
            ManifestChecks.assertFullyTyped(o, variant + " " + o.getKind() + " " + o.getMetadata().getName());
            if (o instanceof ConfigMap cm) {
                // The policy the chart renders is one rofs-guard accepts.
                Path policy = Files.createTempFile("policy", ".yaml");
                Files.writeString(policy, cm.getData().get("policy.yaml"));
                assertThat(PolicyLoader.load(policy, "rofs-guard").catalog()).isNotNull();
            }
            if (o instanceof ValidatingWebhookConfiguration v) {
                assertThat(v.getWebhooks()).hasSize(6);
            }
        }
        if (variant.equals("native")) {
            // No server at all: the hook Jobs compile and apply the policies, and remove them with the release.
            assertThat(kinds).contains("ConfigMap", "Job", "ServiceAccount", "ClusterRole", "ClusterRoleBinding")
                    .doesNotContain("Deployment", "Service", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "Pod");
            return;
        }
        assertThat(kinds).contains("Deployment", "Service", "ServiceAccount", "ConfigMap", "ValidatingWebhookConfiguration");
        switch (variant) {
            case "defaults" -> assertThat(kinds).contains("PodDisruptionBudget", "ResourceQuota", "MutatingWebhookConfiguration",
                    "Job", "Pod", "Certificate", "Issuer").doesNotContain("NetworkPolicy", "ServiceMonitor", "Role");
            case "enforce-without-mutation" -> assertThat(kinds).doesNotContain("MutatingWebhookConfiguration");
            case "existing-secret" -> assertThat(kinds).doesNotContain("Certificate", "Issuer");
            case "built-in" -> assertThat(kinds).doesNotContain("Certificate", "Issuer")
                    .contains("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding");
            case "single-replica-no-priority" -> assertThat(kinds).doesNotContain("PodDisruptionBudget", "ResourceQuota", "Job", "Pod");
            case "everything-switched" -> assertThat(kinds).contains("ServiceMonitor", "NetworkPolicy", "PodDisruptionBudget",
                    "ResourceQuota", "MutatingWebhookConfiguration", "Job", "Pod");
            default -> {
            }
        }
    }

    @Test
    void everyOptionIsExercised() throws Exception {
        JsonNode schema = AdmissionReviews.mapper().readTree(CHART.resolve("values.schema.json").toFile());
        List<String> leaves = new ArrayList<>();
        ValuesTable.leaves(schema, "", leaves);
        Set<String> set = new HashSet<>();
        VARIANTS.values().forEach(m -> m.keySet().forEach(k -> set.add(k.replace("\\.", "\u0000").replaceAll("\\[\\d+]", "")
                .replace('\u0000', '.'))));
        for (String leaf : leaves) {
            assertThat(set).as("a variant sets " + leaf).anyMatch(k -> k.equals(leaf) || k.startsWith(leaf + "."));
        }
    }

    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of(Map.of("mode", "strict"), "mode"),
                Arguments.of(Map.of("engine", "cel"), "engine"),
                Arguments.of(Map.of("jit", "graal"), "jit"),
                Arguments.of(Map.of("replicaz", "2"), "replicaz"),
                Arguments.of(Map.of("certificates.mode", "existingSecret"), "caBundle"),
                Arguments.of(Map.of("podSecurityContext.runAsUser", "0"), "runAsUser"),
                Arguments.of(Map.of("podSecurityContext.fsGroup", "1"), "fsGroup"),
                Arguments.of(Map.of("nameOverride", "Guard_1"), "nameOverride"),
                Arguments.of(Map.of("fullnameOverride", "x".repeat(60)), "fullnameOverride"),
                Arguments.of(Map.of("imagePullSecrets[0].secret", "x"), "imagePullSecrets"),
                Arguments.of(Map.of("tolerations", "everything"), "tolerations"),
                Arguments.of(Map.of("podLabels.team", "1"), "podLabels"),
                Arguments.of(Map.of("podDisruptionBudget.maxUnavailable", "0"), "maxUnavailable"),
                Arguments.of(Map.of("priorityClassQuota.pods", "0"), "pods"),
                Arguments.of(Map.of("networkPolicy.webhookFrom", "anywhere"), "webhookFrom"),
                Arguments.of(Map.of("networkPolicy.egress", "true"), "egress"),
                Arguments.of(Map.of("hooks.image", "kubectl"), "image"),
                Arguments.of(Map.of("tests.enabled", "maybe"), "enabled"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badValues")
    void badValuesAreRefusedByTheSchema(Map<String, Object> values, String field) {
        assertThatThrownBy(() -> ChartRender.render(values)).hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining(field);
    }

    @Test
    void theJitIsTheImagesC1UnlessC2IsAsked() throws Exception {
        java.util.function.Function<Map<String, Object>, List<io.fabric8.kubernetes.api.model.EnvVar>> env = values -> {
            try {
                return ofKind(typed(ChartRender.render(values)), Deployment.class).get(0).getSpec().getTemplate().getSpec()
                        .getContainers().get(0).getEnv();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        assertThat(env.apply(Map.of())).noneMatch(e -> e.getName().equals("JDK_JAVA_OPTIONS"));
        assertThat(env.apply(Map.of("jit", "c2"))).filteredOn(e -> e.getName().equals("JDK_JAVA_OPTIONS"))
                .singleElement().satisfies(e -> assertThat(e.getValue()).isEmpty());
        // What the chart clears is what the image sets.
        assertThat(Files.readString(Path.of("Dockerfile"))).contains("\nENV JDK_JAVA_OPTIONS=-XX:TieredStopAtLevel=1\n");
    }

    @Test
    void theModeDefaultsToWarnAndEnforceIsAChoice() throws Exception {
        ConfigMap policy = ofKind(typed(ChartRender.render(Map.of())), ConfigMap.class).get(0);
        assertThat(policy.getData().get("policy.yaml")).contains("mode: warn");
        ValidatingWebhookConfiguration v = ofKind(typed(ChartRender.render(Map.of())), ValidatingWebhookConfiguration.class).get(0);
        // Unlabelled namespaces go to the warn entries, whose failurePolicy is Ignore.
        assertThat(v.getWebhooks()).filteredOn(w -> w.getNamespaceSelector().getMatchExpressions().stream()
                        .anyMatch(e -> e.getKey().equals("rofs-guard.dev/mode") && e.getOperator().equals("NotIn")))
                .isNotEmpty().allSatisfy(w -> {
                    assertThat(w.getName()).startsWith("warn");
                    assertThat(w.getFailurePolicy()).isEqualTo("Ignore");
                });
        ConfigMap enforced = ofKind(typed(ChartRender.render(Map.of("mode", "enforce"))), ConfigMap.class).get(0);
        assertThat(enforced.getData().get("policy.yaml")).contains("mode: enforce");
    }

    @Test
    void nativeAndHybridEnginesRunTheCompilerInHookJobsWithTheReleasesPolicy() throws Exception {
        for (String engine : List.of("native", "hybrid")) {
            List<HasMetadata> objects = typed(ChartRender.render(Map.of("engine", engine)));
            List<Job> jobs = ofKind(objects, Job.class).stream().filter(j -> j.getMetadata().getName().contains("-native-")).toList();
            Job apply = jobs.stream().filter(j -> "post-install,post-upgrade".equals(hook(j))).findFirst().orElseThrow();
            Job delete = jobs.stream().filter(j -> "pre-delete".equals(hook(j))).findFirst().orElseThrow();
            var container = apply.getSpec().getTemplate().getSpec().getContainers().get(0);
            List<String> expected = new ArrayList<>(List.of("chart-hook", "apply-native", "--config", "/etc/rofs-guard/policy/policy.yaml"));
            if (engine.equals("hybrid")) {
                expected.addAll(List.of("--hybrid", "--webhooks", "rofs-guard"));
            }
            assertThat(container.getArgs()).as(engine).isEqualTo(expected);
            assertThat(container.getVolumeMounts()).anyMatch(m -> m.getMountPath().equals("/etc/rofs-guard/policy"));
            assertThat(apply.getSpec().getTemplate().getSpec().getVolumes()).anyMatch(v -> v.getConfigMap() != null
                    && v.getConfigMap().getName().equals(ofKind(objects, ConfigMap.class).get(0).getMetadata().getName()));
            assertThat(delete.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs()).containsExactly("chart-hook", "delete-native");
        }
        assertThat(ofKind(typed(ChartRender.render(Map.of())), Job.class)).noneMatch(j -> j.getMetadata().getName().contains("-native-"));
        // Offered only where the API server serves MutatingAdmissionPolicy v1.
        assertThatThrownBy(() -> ChartRender.render(Map.of("engine", "native"), "v1.35.0"))
                .hasMessageContaining("engine: native needs admissionregistration.k8s.io/v1 MutatingAdmissionPolicy");
    }

    @Test
    void aPodDisruptionBudgetOnlyWithASecondReplicaOrMaxUnavailable() throws Exception {
        assertThat(ofKind(typed(ChartRender.render(Map.of("replicas", "1"))), PodDisruptionBudget.class)).isEmpty();
        assertThat(ofKind(typed(ChartRender.render(Map.of("replicas", "2"))), PodDisruptionBudget.class)).singleElement()
                .satisfies(p -> {
                    assertThat(p.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
                    assertThat(p.getSpec().getMaxUnavailable()).isNull();
                });
        assertThat(ofKind(typed(ChartRender.render(Map.of("replicas", "1", "podDisruptionBudget.maxUnavailable", "1"))),
                PodDisruptionBudget.class)).singleElement().satisfies(p -> {
                    assertThat(p.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
                    assertThat(p.getSpec().getMinAvailable()).isNull();
                });
        assertThat(ofKind(typed(ChartRender.render(Map.of("replicas", "3", "podDisruptionBudget.maxUnavailable", "34%"))),
                PodDisruptionBudget.class)).singleElement().satisfies(p -> assertThat(p.getSpec().getMaxUnavailable().getStrVal()).isEqualTo("34%"));
        assertThat(ofKind(typed(ChartRender.render(Map.of("replicas", "3", "podDisruptionBudget.enabled", "false"))),
                PodDisruptionBudget.class)).isEmpty();
        // Whatever is rendered selects the webhook's pods.
        List<HasMetadata> objects = typed(ChartRender.render(Map.of()));
        assertThat(ofKind(objects, PodDisruptionBudget.class).get(0).getSpec().getSelector().getMatchLabels())
                .isEqualTo(ofKind(objects, Deployment.class).get(0).getSpec().getSelector().getMatchLabels());
    }

    @Test
    void thePreStopSleepOnlyFromKubernetes130() throws Exception {
        for (String version : List.of("v1.28.0", "v1.29.9-eks-1234")) {
            Deployment d = ofKind(typed(ChartRender.render(Map.of(), version)), Deployment.class).get(0);
            assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getLifecycle()).as(version).isNull();
        }
        for (String version : List.of("v1.30.0", "v1.30.2-gke.1000", "v1.36.0")) {
            Deployment d = ofKind(typed(ChartRender.render(Map.of(), version)), Deployment.class).get(0);
            assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getLifecycle().getPreStop().getSleep().getSeconds())
                    .as(version).isEqualTo(5L);
            assertThat(d.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds()).isEqualTo(30L);
        }
        Deployment none = ofKind(typed(ChartRender.render(Map.of("shutdown.preStopSeconds", "0"), "v1.34.0")), Deployment.class).get(0);
        assertThat(none.getSpec().getTemplate().getSpec().getContainers().get(0).getLifecycle()).isNull();
    }

    @Test
    void aResourceQuotaForTheCriticalPriorityClass() throws Exception {
        List<HasMetadata> objects = typed(ChartRender.render(Map.of()));
        assertThat(ofKind(objects, Deployment.class).get(0).getSpec().getTemplate().getSpec().getPriorityClassName())
                .isEqualTo("system-cluster-critical");
        ResourceQuota q = ofKind(objects, ResourceQuota.class).get(0);
        assertThat(q.getSpec().getScopeSelector().getMatchExpressions()).singleElement().satisfies(e -> {
            assertThat(e.getScopeName()).isEqualTo("PriorityClass");
            assertThat(e.getValues()).containsExactly("system-cluster-critical");
        });
        assertThat(q.getSpec().getHard().get("pods").getAmount()).isEqualTo("4"); // 2 replicas + a full surge
        assertThat(ofKind(typed(ChartRender.render(Map.of("priorityClassQuota.enabled", "false"))), ResourceQuota.class)).isEmpty();
        assertThat(ofKind(typed(ChartRender.render(Map.of("priorityClassName", ""))), ResourceQuota.class)).isEmpty();
    }

    @Test
    void theUidIsOverridableOrLeftToThePlatformAndTheRestStaysHardened() throws Exception {
        for (Map<String, Object> values : List.<Map<String, Object>>of(Map.of(),
                Map.of("podSecurityContext.runAsUser", "null", "podSecurityContext.runAsGroup", "null"),
                Map.of("podSecurityContext.runAsUser", "1000680000"))) {
            List<HasMetadata> objects = typed(ChartRender.render(values));
            List<PodSpec> pods = new ArrayList<>();
            ofKind(objects, Deployment.class).forEach(d -> pods.add(d.getSpec().getTemplate().getSpec()));
            ofKind(objects, Job.class).forEach(j -> pods.add(j.getSpec().getTemplate().getSpec()));
            ofKind(objects, Pod.class).forEach(p -> pods.add(p.getSpec()));
            assertThat(pods).hasSize(3).allSatisfy(p -> {
                Object uid = values.getOrDefault("podSecurityContext.runAsUser", "65532");
                assertThat(p.getSecurityContext().getRunAsUser()).isEqualTo(uid.equals("null") ? null : Long.valueOf(uid.toString()));
                assertThat(p.getSecurityContext().getRunAsNonRoot()).isTrue();
                assertThat(p.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
                assertThat(p.getContainers()).allSatisfy(c -> {
                    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
                    assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
                    assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
                });
            });
        }
    }

    @Test
    void schedulingAndPullSecretsReachEveryPodAndLabelsOnlyTheServer() throws Exception {
        List<HasMetadata> objects = typed(ChartRender.render(VARIANTS.get("everything-switched")));
        Deployment d = ofKind(objects, Deployment.class).get(0);
        List<PodSpec> pods = List.of(d.getSpec().getTemplate().getSpec(), ofKind(objects, Job.class).get(0).getSpec().getTemplate().getSpec(),
                ofKind(objects, Pod.class).get(0).getSpec());
        assertThat(pods).allSatisfy(p -> {
            assertThat(p.getNodeSelector()).containsEntry("kubernetes.io/os", "linux");
            assertThat(p.getTolerations()).singleElement().satisfies(t -> assertThat(t.getKey()).isEqualTo("dedicated"));
            assertThat(p.getAffinity().getNodeAffinity()).isNotNull();
            assertThat(p.getImagePullSecrets()).extracting(s -> s.getName()).containsExactly("mine", "from-parent");
            assertThat(p.getContainers().get(0).getImage()).isEqualTo("registry.example/rofs-guard:1.2.3");
        });
        assertThat(d.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("team", "platform")
                .containsEntry("app.kubernetes.io/name", "guard");
        assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations()).containsEntry("example.com/team", "platform")
                .containsKey("checksum/policy");
        assertThat(d.getSpec().getTemplate().getSpec().getPriorityClassName()).isEqualTo("system-node-critical");
        assertThat(ofKind(objects, ResourceQuota.class).get(0).getSpec().getHard().get("pods").getAmount()).isEqualTo("7");
    }

    @Test
    void fullnameOverrideNamesEveryObjectAndTheReferencesFollow() throws Exception {
        List<HasMetadata> objects = typed(ChartRender.render(Map.of("fullnameOverride", "guard-prod", "certificates.mode", "builtIn")));
        for (HasMetadata o : objects) {
            // The webhook configurations are named in templates/webhooks.yaml: it must use rofs-guard.fullname too,
            // or the built-in controller, the uninstall hook and the test look for configurations that do not exist.
            assertThat(o.getMetadata().getName()).as(o.getKind() + " named by include \"rofs-guard.fullname\"").startsWith("guard-prod");
        }
        Service service = ofKind(objects, Service.class).get(0);
        ValidatingWebhookConfiguration v = ofKind(objects, ValidatingWebhookConfiguration.class).get(0);
        MutatingWebhookConfiguration m = ofKind(objects, MutatingWebhookConfiguration.class).get(0);
        assertThat(v.getWebhooks()).allSatisfy(w -> assertThat(w.getClientConfig().getService().getName()).isEqualTo(service.getMetadata().getName()));
        assertThat(m.getWebhooks()).allSatisfy(w -> assertThat(w.getClientConfig().getService().getName()).isEqualTo(service.getMetadata().getName()));
        // The built-in controller, the uninstall hook and the test find the configurations by this one name.
        Deployment d = ofKind(objects, Deployment.class).get(0);
        assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                .anySatisfy(e -> assertThat(e.getName() + "=" + e.getValue()).isEqualTo("ROFS_GUARD_RELEASE=" + v.getMetadata().getName()));
        assertThat(m.getMetadata().getName()).isEqualTo(v.getMetadata().getName());
        assertThat(ofKind(objects, Job.class).get(0).getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                .containsExactly("chart-hook", "delete-webhook-configurations", "--name", v.getMetadata().getName());
        assertThat(ofKind(objects, Pod.class).get(0).getSpec().getContainers().get(0).getArgs())
                .containsExactly("chart-hook", "test", "--name", v.getMetadata().getName());
    }

    @Test
    void theNetworkPolicyOpensTheWebhookAndManagementPortsOnly() throws Exception {
        assertThat(ofKind(typed(ChartRender.render(Map.of())), NetworkPolicy.class)).isEmpty();
        List<HasMetadata> objects = typed(ChartRender.render(Map.of("networkPolicy.enabled", "true")));
        NetworkPolicy np = ofKind(objects, NetworkPolicy.class).get(0);
        assertThat(np.getSpec().getPodSelector().getMatchLabels())
                .isEqualTo(ofKind(objects, Deployment.class).get(0).getSpec().getSelector().getMatchLabels());
        assertThat(np.getSpec().getPolicyTypes()).containsExactly("Ingress");
        assertThat(np.getSpec().getIngress()).hasSize(2).allSatisfy(r -> assertThat(r.getFrom()).isNullOrEmpty());
        assertThat(np.getSpec().getIngress()).flatExtracting(r -> r.getPorts()).extracting(p -> p.getPort().getIntVal())
                .containsExactly(8443, 9000);
        NetworkPolicy narrowed = ofKind(typed(ChartRender.render(Map.of("networkPolicy.enabled", "true",
                "networkPolicy.webhookFrom[0].ipBlock.cidr", "10.0.0.0/28"))), NetworkPolicy.class).get(0);
        assertThat(narrowed.getSpec().getIngress().get(0).getFrom()).singleElement()
                .satisfies(p -> assertThat(p.getIpBlock().getCidr()).isEqualTo("10.0.0.0/28"));
        assertThat(narrowed.getSpec().getIngress().get(1).getFrom()).isNullOrEmpty();
    }

    @Test
    void thePreDeleteHookDeletesExactlyTheWebhookConfigurations() throws Exception {
        List<HasMetadata> objects = typed(ChartRender.render(Map.of()));
        Set<String> configurations = new HashSet<>();
        objects.stream().filter(o -> o.getKind().endsWith("WebhookConfiguration")).forEach(o -> configurations.add(o.getMetadata().getName()));
        Job job = ofKind(objects, Job.class).get(0);
        assertThat(hook(job)).isEqualTo("pre-delete");
        assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs()).containsSubsequence("--name")
                .contains(configurations.iterator().next());
        ClusterRole role = ofKind(objects, ClusterRole.class).stream().filter(r -> "pre-delete".equals(hook(r))).findFirst().orElseThrow();
        assertThat(role.getRules()).singleElement().satisfies(r -> {
            assertThat(r.getVerbs()).containsExactly("delete");
            assertThat(r.getResources()).containsExactlyInAnyOrder("validatingwebhookconfigurations", "mutatingwebhookconfigurations");
            assertThat(r.getResourceNames()).containsExactlyElementsOf(configurations);
        });
        // Its service account and binding exist before the Job runs (lower hook weight).
        objects.stream().filter(o -> "pre-delete".equals(hook(o)) && !(o instanceof Job)).forEach(o ->
                assertThat(Integer.parseInt(o.getMetadata().getAnnotations().get("helm.sh/hook-weight")))
                        .isLessThan(Integer.parseInt(job.getMetadata().getAnnotations().get("helm.sh/hook-weight"))));
        assertThat(objects.stream().filter(o -> "pre-delete".equals(hook(o))).map(HasMetadata::getKind))
                .containsExactlyInAnyOrder("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Job");
    }

    @Test
    void theTestPodReadsOnlyTheValidatingConfigurationAndIsNotBehindTheService() throws Exception {
        List<HasMetadata> objects = typed(ChartRender.render(Map.of()));
        Pod test = ofKind(objects, Pod.class).get(0);
        assertThat(hook(test)).isEqualTo("test");
        ClusterRole role = ofKind(objects, ClusterRole.class).stream().filter(r -> "test".equals(hook(r))).findFirst().orElseThrow();
        assertThat(role.getRules()).singleElement().satisfies(r -> {
            assertThat(r.getVerbs()).containsExactly("get");
            assertThat(r.getResourceNames()).containsExactly(ofKind(objects, ValidatingWebhookConfiguration.class).get(0).getMetadata().getName());
        });
        Map<String, String> selector = ofKind(objects, Service.class).get(0).getSpec().getSelector();
        for (Map<String, String> labels : List.of(test.getMetadata().getLabels(),
                ofKind(objects, Job.class).get(0).getSpec().getTemplate().getMetadata().getLabels())) {
            assertThat(labels.entrySet().containsAll(selector.entrySet())).as("hook pod selected by the Service: " + labels).isFalse();
        }
    }

    @Test
    void theRenderedChartPassesOurOwnAudit() {
        for (Map<String, Object> values : VARIANTS.values()) {
            List<Document> docs = ChartRender.render(values);
            AuditReport report = AuditReport.of(Fixtures.engine("mutation-off.yaml"), docs, List.of(), Mode.ENFORCE, Origin.manifest(false), "rofs-guard");
            assertThat(report.objects()).isNotEmpty().allSatisfy(o ->
                    assertThat(o.verdict().outcome()).as(o.kind() + " " + o.name() + ": " + o.verdict().reason()).isEqualTo(Outcome.PASS));
            if (values.isEmpty()) {
                assertThat(report.objects()).extracting(o -> o.kind()).containsExactlyInAnyOrder("Deployment", "Job", "Pod");
            }
        }
    }

    @Test
    void notesSayWhichModeUnlabelledNamespacesGet() {
        String warn = new Helm(ChartRender.copy(ChartRender.CURRENT)).install().withName("rofs-guard").withNamespace("rofs-guard")
                .dryRun().clientOnly().call().getOutput();
        assertThat(warn).contains("are in warn mode").contains("Nothing is denied yet").contains("helm test rofs-guard");
        String enforce = new Helm(ChartRender.copy(ChartRender.CURRENT)).install().withName("rofs-guard").withNamespace("rofs-guard")
                .set("mode", "enforce").dryRun().clientOnly().call().getOutput();
        assertThat(enforce).contains("are in enforce mode").contains("DENIED");
    }

    @Test
    void artifactHubListsTheImageTheChartDeploys() throws Exception {
        JsonNode chart = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                .readTree(CHART.resolve("Chart.yaml").toFile());
        Deployment d = ofKind(typed(ChartRender.render(Map.of())), Deployment.class).get(0);
        assertThat(chart.path("annotations").path("artifacthub.io/images").asText())
                .contains("image: " + d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
        assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).endsWith(":" + chart.path("appVersion").asText());
    }
}

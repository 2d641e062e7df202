package dev.rofsguard.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.DryRun;
import com.marcnuri.helm.Helm;
import dev.rofsguard.e2e.KubeApiServer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The chart against the real API server: Helm reads the server's version (the kubeVersion floor), and the
 * uninstall hook's command, run from the packaged jar with the hook's own ServiceAccount and ClusterRole, deletes
 * both webhook configurations and nothing else; the test pod's command reads the configuration with its own role.
 */
@ExtendWith(KubeApiServer.class)
class ChartOnApiServerE2E {

    static final String RELEASE = "hooks-e2e";
    static final String NAMESPACE = "hooks-e2e";

    @Test
    void helmHoldsTheServerVersionToTheChartsFloor() {
        KubernetesClient k = KubeApiServer.client();
        String server = k.getKubernetesVersion().getGitVersion();
        var install = new Helm(ChartRender.CHART).install().withName("floor").withNamespace(NAMESPACE)
                .withKubeConfig(KubeApiServer.RUN.resolve("kubeconfig")).set("certificates.mode", "builtIn")
                .dryRun().withDryRunOption(DryRun.SERVER);
        int minor = Integer.parseInt(k.getKubernetesVersion().getMinor().replaceAll("\\D.*", ""));
        if (minor < 28) {
            assertThatThrownBy(install::call).as(server).hasMessageContaining("incompatible with Kubernetes " + server.replaceAll("-.*", ""));
        } else {
            assertThat(install.call().getStatus()).as(server).isEqualTo("pending-install");
        }
    }

    @Test
    void theUninstallHookDeletesBothConfigurationsWithItsOwnRoleOnly() throws Exception {
        KubernetesClient k = KubeApiServer.client();
        k.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).createOr(r -> r.update());
        List<HasMetadata> objects = HelmChartTest.typed(ChartRender.render(RELEASE, NAMESPACE, Map.of(), ChartRender.CURRENT));
        // The configurations as rendered, made harmless for the other tests sharing this API server: no namespace
        // matches and no failure blocks anything. Only their names matter here.
        createHarmless(k, objects);
        ValidatingWebhookConfiguration other = k.resource(new ValidatingWebhookConfigurationBuilder().withNewMetadata()
                .withName("someone-else").endMetadata().build()).create();
        // The hook's ServiceAccount, ClusterRole and binding exactly as the chart renders them.
        ServiceAccount sa = null;
        for (HasMetadata o : objects) {
            if (!"pre-delete".equals(HelmChartTest.hook(o)) || o instanceof Job) {
                continue;
            }
            o.getMetadata().setAnnotations(Map.of());
            if (o instanceof ServiceAccount s) {
                sa = k.resource(s).inNamespace(NAMESPACE).create();
            } else if (o instanceof ClusterRole || o instanceof ClusterRoleBinding) {
                k.resource(o).create();
            }
        }
        Path kubeconfig = kubeconfigFor(k, sa);

        Job job = HelmChartTest.ofKind(objects, Job.class).get(0);
        List<String> args = job.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs();
        Run first = jar(kubeconfig, args);
        assertThat(first.exit()).as(first.out()).isZero();
        assertThat(first.out()).contains("ValidatingWebhookConfiguration " + RELEASE + ": deleted")
                .contains("MutatingWebhookConfiguration " + RELEASE + ": deleted");
        assertThat(k.admissionRegistration().v1().validatingWebhookConfigurations().withName(RELEASE).get()).isNull();
        assertThat(k.admissionRegistration().v1().mutatingWebhookConfigurations().withName(RELEASE).get()).isNull();
        // A re-run (a retried Job pod) finds nothing and still succeeds.
        Run again = jar(kubeconfig, args);
        assertThat(again.exit()).as(again.out()).isZero();
        assertThat(again.out()).contains(RELEASE + ": absent");
        // Its role names its own configurations: someone else's stays, and cannot be deleted with its token.
        try (KubernetesClient hook = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(kubeconfig))).build()) {
            assertThatThrownBy(() -> hook.admissionRegistration().v1().validatingWebhookConfigurations().withName("someone-else").delete())
                    .isInstanceOf(KubernetesClientException.class).hasMessageContaining("forbidden");
        }
        assertThat(k.resource(other).get()).isNotNull();
        k.resource(other).delete();
    }

    /**
     * engine: hybrid on a server that serves MutatingAdmissionPolicy: the post-install hook's command, run from the
     * packaged jar with the hook's own ServiceAccount and ClusterRole, applies the native policies and routes the
     * release's webhooks; the pre-delete hook's command removes the policies. Both are re-runnable.
     */
    @Test
    void theNativeHooksApplyRouteAndRemoveThePoliciesWithTheirOwnRolesOnly() throws Exception {
        KubernetesClient k = KubeApiServer.client();
        org.junit.jupiter.api.Assumptions.assumeTrue(k.getApiResources("admissionregistration.k8s.io/v1").getResources().stream()
                .anyMatch(r -> r.getName().equals("mutatingadmissionpolicies")), "engine: hybrid needs MutatingAdmissionPolicy v1 (1.36+)");
        String release = "native-e2e";
        k.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).createOr(r -> r.update());
        List<HasMetadata> objects = HelmChartTest.typed(ChartRender.render(release, NAMESPACE, Map.of("engine", "hybrid",
                "certificates.mode", "builtIn"), ChartRender.CURRENT));
        Path policy = Files.createTempFile("policy", ".yaml");
        for (HasMetadata o : objects) {
            if (o instanceof io.fabric8.kubernetes.api.model.ConfigMap cm) {
                Files.writeString(policy, cm.getData().get("policy.yaml"));
            }
        }
        createHarmless(k, objects);
        try {
            for (String phase : List.of("apply", "delete")) {
                String name = release + "-native-" + phase;
                ServiceAccount sa = null;
                for (HasMetadata o : objects) {
                    if (!o.getMetadata().getName().equals(name) || o instanceof Job) {
                        continue;
                    }
                    o.getMetadata().setAnnotations(Map.of());
                    if (o instanceof ServiceAccount s) {
                        sa = k.resource(s).inNamespace(NAMESPACE).createOr(r -> r.update());
                    } else {
                        k.resource(o).createOr(r -> r.update());
                    }
                }
                Job job = HelmChartTest.ofKind(objects, Job.class).stream().filter(j -> j.getMetadata().getName().equals(name)).findFirst().orElseThrow();
                List<String> args = job.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs().stream()
                        .map(a -> a.equals("/etc/rofs-guard/policy/policy.yaml") ? policy.toString() : a).toList();
                Path kubeconfig = kubeconfigFor(k, sa);
                for (int run = 0; run < 2; run++) { // a retried Job pod does it again, and succeeds
                    Run r = jar(kubeconfig, args);
                    assertThat(r.exit()).as(phase + " " + r.out()).isZero();
                    if (phase.equals("apply")) {
                        assertThat(r.out()).contains("MutatingAdmissionPolicy mutate.rofs-guard.dev: applied")
                                .contains("ValidatingAdmissionPolicy rofs-guard.dev: applied")
                                .contains("ValidatingWebhookConfiguration " + release + ": routed").contains("MutatingWebhookConfiguration " + release + ": routed");
                    } else {
                        assertThat(r.out()).contains(run == 0 ? "MutatingAdmissionPolicy mutate.rofs-guard.dev: deleted"
                                : "MutatingAdmissionPolicy mutate.rofs-guard.dev: absent");
                    }
                }
                if (phase.equals("apply")) {
                    assertThat(k.genericKubernetesResources("admissionregistration.k8s.io/v1", "MutatingAdmissionPolicy")
                            .withName("mutate.rofs-guard.dev").get()).isNotNull();
                    ValidatingWebhookConfiguration routed = k.admissionRegistration().v1().validatingWebhookConfigurations().withName(release).get();
                    routed.getWebhooks().forEach(w -> assertThat(w.getMatchConditions()).as(w.getName())
                            .filteredOn(c -> c.getName().equals("sent-to-the-webhook")).hasSize(1));
                } else {
                    assertThat(k.genericKubernetesResources("admissionregistration.k8s.io/v1", "MutatingAdmissionPolicy")
                            .withName("mutate.rofs-guard.dev").get()).isNull();
                }
            }
        } finally {
            k.admissionRegistration().v1().validatingWebhookConfigurations().withName(release).delete();
            k.admissionRegistration().v1().mutatingWebhookConfigurations().withName(release).delete();
            // Whatever the hooks left (a failed run): policies that outlive this test would judge the next ones.
            for (var o : dev.rofsguard.export.NativePolicies.compile(dev.rofsguard.config.PolicyLoader.load(null, null))) {
                k.resource(k.getKubernetesSerialization().unmarshal(o.toString(), io.fabric8.kubernetes.api.model.GenericKubernetesResource.class)).delete();
            }
        }
    }

    @Test
    void theTestPodReadsTheConfigurationWithItsOwnRoleAndCallsItsService() throws Exception {
        KubernetesClient k = KubeApiServer.client();
        String release = "test-e2e";
        k.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).createOr(r -> r.update());
        List<HasMetadata> objects = HelmChartTest.typed(ChartRender.render(release, NAMESPACE, Map.of("certificates.mode", "existingSecret",
                "certificates.existingSecret.name", "tls", "certificates.existingSecret.caBundle",
                java.util.Base64.getEncoder().encodeToString(Files.readAllBytes(KubeApiServer.caCertificate()))), ChartRender.CURRENT));
        ServiceAccount sa = null;
        for (HasMetadata o : objects) {
            if (o instanceof ValidatingWebhookConfiguration v) {
                v.getWebhooks().forEach(w -> {
                    w.setFailurePolicy("Ignore");
                    w.setNamespaceSelector(new LabelSelectorBuilder().addToMatchLabels("rofs-guard.dev/e2e", "never").build());
                });
                k.resource(v).create();
            } else if ("test".equals(HelmChartTest.hook(o)) && !(o instanceof io.fabric8.kubernetes.api.model.Pod)) {
                o.getMetadata().setAnnotations(Map.of());
                if (o instanceof ServiceAccount s) {
                    sa = k.resource(s).inNamespace(NAMESPACE).create();
                } else {
                    k.resource(o).create();
                }
            }
        }
        Path kubeconfig = kubeconfigFor(k, sa);
        List<String> args = HelmChartTest.ofKind(objects, io.fabric8.kubernetes.api.model.Pod.class).get(0).getSpec().getContainers().get(0).getArgs();
        Run run = jar(kubeconfig, args);
        // No cluster DNS here: the Service name does not resolve, so the test fails, after reading the configuration
        // (its role suffices) and naming the Service the API server would call.
        assertThat(run.exit()).as(run.out()).isEqualTo(1);
        assertThat(run.out()).contains("test: https://" + release + "." + NAMESPACE + ".svc:443/validate/enforce: not answered");
        k.admissionRegistration().v1().validatingWebhookConfigurations().withName(release).delete();
    }

    /** The webhook configurations as rendered, made harmless for the other tests on this API server: no namespace matches. */
    static void createHarmless(KubernetesClient k, List<HasMetadata> objects) {
        for (HasMetadata o : objects) {
            if (o instanceof ValidatingWebhookConfiguration v) {
                v.getWebhooks().forEach(w -> {
                    w.setFailurePolicy("Ignore");
                    w.setNamespaceSelector(new LabelSelectorBuilder().addToMatchLabels("rofs-guard.dev/e2e", "never").build());
                    w.getClientConfig().setCaBundle("LS0tLS0=");
                });
                k.resource(v).create();
            }
            if (o instanceof MutatingWebhookConfiguration m) {
                m.getWebhooks().forEach(w -> {
                    w.setNamespaceSelector(new LabelSelectorBuilder().addToMatchLabels("rofs-guard.dev/e2e", "never").build());
                    w.getClientConfig().setCaBundle("LS0tLS0=");
                });
                k.resource(m).create();
            }
        }
    }

    static Path kubeconfigFor(KubernetesClient k, ServiceAccount sa) throws Exception {
        assertThat(sa).isNotNull();
        String token = k.serviceAccounts().inNamespace(NAMESPACE).withName(sa.getMetadata().getName())
                .tokenRequest(new TokenRequestBuilder().withNewSpec().withAudiences("https://kubernetes.default.svc")
                        .withExpirationSeconds(600L).endSpec().build()).getStatus().getToken();
        Path kubeconfig = Files.createTempFile("hook-", ".kubeconfig");
        Files.writeString(kubeconfig, "apiVersion: v1\nkind: Config\nclusters:\n- name: kapi\n  cluster:\n"
                + "    server: https://127.0.0.1:" + KubeApiServer.PORT + "\n    certificate-authority: " + KubeApiServer.caCertificate() + "\n"
                + "users:\n- name: hook\n  user:\n    token: " + token + "\ncontexts:\n- name: hook\n  context: {cluster: kapi, user: hook}\n"
                + "current-context: hook\n");
        return kubeconfig;
    }

    record Run(int exit, String out) {
    }

    /** The packaged jar, as the hook pod's image runs it. */
    static Run jar(Path kubeconfig, List<String> args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                KubeApiServer.ROOT.resolve("target/quarkus-app/quarkus-run.jar").toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("KUBECONFIG", kubeconfig.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }
}

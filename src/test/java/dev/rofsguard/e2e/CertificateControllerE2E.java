package dev.rofsguard.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rofsguard.tls.CertificateAuthority;
import dev.rofsguard.tls.CertificateController;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The built-in certificate controller against the real API server: Secrets, caBundle, idempotence, CA rotation, races. */
@ExtendWith(KubeApiServer.class)
class CertificateControllerE2E {

    @Test
    void createsAdoptsAndRotates() throws Exception {
        KubernetesClient k = KubeApiServer.client();
        k.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("certs").endMetadata().build()).createOr(r -> r.update());
        k.admissionRegistration().v1().validatingWebhookConfigurations().resource(new ValidatingWebhookConfigurationBuilder()
                .withNewMetadata().withName("cc").endMetadata().addNewWebhook().withName("v.cc.dev").withAdmissionReviewVersions("v1")
                .withSideEffects("None").withNewClientConfig().withNewService().withName("cc").withNamespace("certs").withPath("/validate")
                .endService().endClientConfig().endWebhook().build()).createOr(r -> r.update());
        k.admissionRegistration().v1().mutatingWebhookConfigurations().resource(new MutatingWebhookConfigurationBuilder()
                .withNewMetadata().withName("cc").endMetadata().addNewWebhook().withName("m.cc.dev").withAdmissionReviewVersions("v1")
                .withSideEffects("None").withNewClientConfig().withNewService().withName("cc").withNamespace("certs").withPath("/mutate")
                .endService().endClientConfig().endWebhook().build()).createOr(r -> r.update());

        // Two replicas starting at once agree on one CA and one serving certificate.
        CertificateController a = new CertificateController(k, "certs", "cc", Duration.ofDays(90));
        CertificateController b = new CertificateController(k, "certs", "cc", Duration.ofDays(90));
        CompletableFuture<CertificateController.Material> fa = CompletableFuture.supplyAsync(() -> reconcile(a));
        CompletableFuture<CertificateController.Material> fb = CompletableFuture.supplyAsync(() -> reconcile(b));
        CertificateController.Material first = fa.get();
        assertThat(fb.get().caPem()).isEqualTo(first.caPem());
        CertificateController.Material stored = reconcile(a);
        assertThat(stored.renewed()).isFalse();
        assertThat(stored.certificatePem()).isEqualTo(reconcile(b).certificatePem());

        X509Certificate ca = CertificateAuthority.readCertificate(first.caPem());
        X509Certificate serving = CertificateAuthority.readCertificate(stored.certificatePem());
        serving.verify(ca.getPublicKey());
        assertThat(serving.getSubjectAlternativeNames()).extracting(l -> String.valueOf(l.get(1))).contains("cc.certs.svc");
        assertCaBundle(k, first.caPem());

        // A new CA (the old one deleted or expired): the serving certificate is re-issued and the caBundle follows.
        k.secrets().inNamespace("certs").withName("cc-ca").delete();
        CertificateController.Material rotated = reconcile(a);
        assertThat(rotated.caPem()).isNotEqualTo(first.caPem());
        assertThat(rotated.renewed()).isTrue();
        CertificateAuthority.readCertificate(rotated.certificatePem()).verify(CertificateAuthority.readCertificate(rotated.caPem()).getPublicKey());
        // For the overlap, the caBundle holds the new CA and the replaced one, so replicas still serving the old
        // certificate stay trusted until they pick up the new one.
        assertCaBundle(k, rotated.caPem() + first.caPem());

        // A certificate with less than a third of its life left is renewed.
        CertificateController shortLived = new CertificateController(k, "certs", "cc", Duration.ofMinutes(1));
        k.secrets().inNamespace("certs").withName("cc-tls").delete();
        CertificateController.Material brief = reconcile(shortLived);
        Thread.sleep(Duration.ofSeconds(25).toMillis()); // life is 120 s (back-dated 60 s): under a third left after 20 s
        assertThat(reconcile(shortLived).certificatePem()).isNotEqualTo(brief.certificatePem());
    }

    private static void assertCaBundle(KubernetesClient k, String caPem) {
        String bundle = Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.US_ASCII));
        assertThat(k.admissionRegistration().v1().validatingWebhookConfigurations().withName("cc").get().getWebhooks())
                .allSatisfy(w -> assertThat(w.getClientConfig().getCaBundle()).isEqualTo(bundle));
        assertThat(k.admissionRegistration().v1().mutatingWebhookConfigurations().withName("cc").get().getWebhooks())
                .allSatisfy(w -> assertThat(w.getClientConfig().getCaBundle()).isEqualTo(bundle));
    }

    private static CertificateController.Material reconcile(CertificateController c) {
        try {
            return c.reconcile();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

}

package dev.rofsguard.tls;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The built-in certificate controller (as Gatekeeper and Kyverno have), for clusters without cert-manager: keeps a
 * CA and a serving certificate in two Secrets of the webhook's namespace, renews the serving certificate when a
 * third of its life is left, re-issues it when the CA changed, and writes the CA into the caBundle of its two webhook
 * configurations. Safe with several replicas: every write is conditional (create, or update at the read
 * resourceVersion), and a replica that loses the race adopts what the winner wrote.
 */
public final class CertificateController {

    public static final Duration CA_VALIDITY = Duration.ofDays(3650);
    public static final Duration SERVING_VALIDITY = Duration.ofDays(90);

    private final KubernetesClient client;
    private final String namespace;
    private final String service;
    private final String caSecret;
    private final String servingSecret;
    private final String webhookConfigurations;
    private final Duration servingValidity;

    public CertificateController(KubernetesClient client, String namespace, String release, Duration servingValidity) {
        this.client = client;
        this.namespace = namespace;
        this.service = release;
        this.caSecret = release + "-ca";
        this.servingSecret = release + "-tls";
        this.webhookConfigurations = release;
        this.servingValidity = servingValidity;
    }

    /** What is in force after a reconcile. */
    public record Material(String caPem, String certificatePem, String keyPem, boolean renewed) {

        /** Writes tls.crt, tls.key and ca.crt for the HTTPS server, which re-reads them periodically. */
        public void write(Path dir) throws IOException {
            Files.createDirectories(dir);
            // Each file replaced atomically; the pair is not (two files), which is why the server reloads only a pair
            // whose key matches its certificate (web/CertificateReloader).
            PemFiles.writeAtomically(dir.resolve("ca.crt"), caPem);
            PemFiles.writeAtomically(dir.resolve("tls.key"), keyPem);
            PemFiles.writeAtomically(dir.resolve("tls.crt"), certificatePem);
        }
    }

    /** How long a replaced CA stays in the caBundle: every replica reconciles hourly and re-reads its files each minute. */
    public static final Duration PREVIOUS_CA_OVERLAP = Duration.ofHours(2);
    private static final String PREVIOUS_CA = "previous-ca.crt";
    private static final String PREVIOUS_CA_UNTIL = "rofs-guard.dev/previous-ca-until";

    public Material reconcile() throws IOException, GeneralSecurityException {
        Secret caSecretNow = ensureCa();
        CertificateAuthority ca = CertificateAuthority.load(decode(caSecretNow, "tls.crt"), decode(caSecretNow, "tls.key"));
        String caPem = CertificateAuthority.pem(ca.certificate());
        Material material = ensureServing(ca, caPem, 0);
        injectCaBundle(caPem + previousCa(caSecretNow));
        return material;
    }

    /** The replaced CA while its overlap lasts: pods not yet serving the new certificate stay trusted. */
    private static String previousCa(Secret caSecret) {
        String until = caSecret.getMetadata().getAnnotations() == null ? null
                : caSecret.getMetadata().getAnnotations().get(PREVIOUS_CA_UNTIL);
        if (until == null || caSecret.getData() == null || !caSecret.getData().containsKey(PREVIOUS_CA)
                || Instant.now().isAfter(Instant.parse(until))) {
            return "";
        }
        return decode(caSecret, PREVIOUS_CA);
    }

    private Secret ensureCa() throws IOException, GeneralSecurityException {
        for (int attempt = 0; attempt < 3; attempt++) {
            Secret existing = client.secrets().inNamespace(namespace).withName(caSecret).get();
            if (existing != null) {
                return existing;
            }
            CertificateAuthority ca = CertificateAuthority.create(service + " webhook CA", CA_VALIDITY);
            Secret created = secret(caSecret, CertificateAuthority.pem(ca.certificate()), ca.privateKeyPem(), null);
            // A serving certificate from an earlier CA may still be served by other replicas: keep that CA trusted.
            Secret serving = client.secrets().inNamespace(namespace).withName(servingSecret).get();
            if (serving != null && serving.getData() != null && serving.getData().containsKey("ca.crt")) {
                created.getData().put(PREVIOUS_CA, serving.getData().get("ca.crt"));
                created.getMetadata().setAnnotations(Map.of(PREVIOUS_CA_UNTIL, Instant.now().plus(PREVIOUS_CA_OVERLAP).toString()));
            }
            try {
                return client.secrets().inNamespace(namespace).resource(created).create();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                // another replica created it first: adopt theirs
            }
        }
        throw new IOException("could not read or create Secret " + namespace + "/" + caSecret);
    }

    private Material ensureServing(CertificateAuthority ca, String caPem, int attempt) throws IOException, GeneralSecurityException {
        Secret existing = client.secrets().inNamespace(namespace).withName(servingSecret).get();
        if (existing != null && stillGood(existing, ca)) {
            return new Material(caPem, decode(existing, "tls.crt"), decode(existing, "tls.key"), false);
        }
        CertificateAuthority.Issued issued = ca.issue(service + "." + namespace + ".svc",
                List.of(service + "." + namespace + ".svc", service + "." + namespace + ".svc.cluster.local"), List.of(), servingValidity);
        String certPem = CertificateAuthority.pem(issued.certificate());
        String keyPem = CertificateAuthority.pem(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(
                issued.keyPair().getPrivate(), null).generate());
        Secret wanted = secret(servingSecret, certPem, keyPem, caPem);
        try {
            if (existing == null) {
                client.secrets().inNamespace(namespace).resource(wanted).create();
            } else {
                wanted.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
                client.secrets().inNamespace(namespace).resource(wanted).update();
            }
        } catch (KubernetesClientException e) {
            if ((e.getCode() == 409) && attempt < 3) {
                return ensureServing(ca, caPem, attempt + 1); // another replica renewed it: use theirs
            }
            throw e;
        }
        return new Material(caPem, certPem, keyPem, true);
    }

    /** Signed by the current CA, and more than a third of its life left. */
    private boolean stillGood(Secret secret, CertificateAuthority ca) {
        try {
            X509Certificate cert = CertificateAuthority.readCertificate(decode(secret, "tls.crt"));
            cert.verify(ca.certificate().getPublicKey());
            long life = cert.getNotAfter().getTime() - cert.getNotBefore().getTime();
            return Instant.now().plusMillis(life / 3).isBefore(cert.getNotAfter().toInstant());
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    /** Writes the caBundle; another replica may be writing the same value: on a conflict, read again and retry. */
    private void injectCaBundle(String caPem) {
        for (int attempt = 1; ; attempt++) {
            try {
                injectCaBundleOnce(caPem);
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 5) {
                    throw e;
                }
            }
        }
    }

    private void injectCaBundleOnce(String caPem) {
        String bundle = Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.US_ASCII));
        var registration = client.admissionRegistration().v1();
        inject(registration.validatingWebhookConfigurations().withName(webhookConfigurations),
                c -> c.getWebhooks().stream().map(ValidatingWebhook::getClientConfig).toList(), bundle);
        inject(registration.mutatingWebhookConfigurations().withName(webhookConfigurations),
                c -> c.getWebhooks().stream().map(MutatingWebhook::getClientConfig).toList(), bundle);
    }

    /** Writes the bundle into every webhook of one configuration, only when one of them differs. */
    private static <T extends HasMetadata> void inject(Resource<T> configuration, Function<T, List<WebhookClientConfig>> clients,
                                                       String bundle) {
        T current = configuration.get();
        if (current != null && clients.apply(current).stream().anyMatch(c -> !bundle.equals(c.getCaBundle()))) {
            configuration.edit(c -> {
                clients.apply(c).forEach(cc -> cc.setCaBundle(bundle));
                return c;
            });
        }
    }

    private Secret secret(String name, String certPem, String keyPem, String caPem) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put("tls.crt", encode(certPem));
        data.put("tls.key", encode(keyPem));
        if (caPem != null) {
            data.put("ca.crt", encode(caPem));
        }
        return new SecretBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                .withLabels(Map.of("app.kubernetes.io/managed-by", "rofs-guard")).endMetadata()
                .withType("kubernetes.io/tls").withData(data).build();
    }

    private static String encode(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static String decode(Secret s, String key) {
        String v = s.getData() == null ? null : s.getData().get(key);
        if (v == null) {
            throw new IllegalStateException("Secret " + s.getMetadata().getName() + " has no " + key);
        }
        return new String(Base64.getDecoder().decode(v), StandardCharsets.US_ASCII);
    }
}

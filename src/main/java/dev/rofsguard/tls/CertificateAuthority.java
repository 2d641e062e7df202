package dev.rofsguard.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A small certificate authority (BouncyCastle): a self-signed CA and serving certificates it signs, with DNS and
 * IP subject alternative names (Go clients such as the API server ignore the CN).
 */
public final class CertificateAuthority {

    private final KeyPair keyPair;
    private final X509Certificate certificate;

    private CertificateAuthority(KeyPair keyPair, X509Certificate certificate) {
        this.keyPair = keyPair;
        this.certificate = certificate;
    }

    public static CertificateAuthority create(String commonName, Duration validity) throws GeneralSecurityException {
        KeyPair keys = newKeyPair();
        X500Name name = new X500Name("CN=" + commonName);
        Instant now = Instant.now();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(), Date.from(now.minusSeconds(60)),
                    Date.from(now.plus(validity)), name, keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
            return new CertificateAuthority(keys, sign(builder, keys));
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
    }

    /** A serving certificate for the given DNS names and IP addresses. */
    public Issued issue(String commonName, List<String> dnsNames, List<String> ipAddresses, Duration validity)
            throws GeneralSecurityException {
        KeyPair keys = newKeyPair();
        Instant now = Instant.now();
        List<GeneralName> names = new ArrayList<>();
        dnsNames.forEach(d -> names.add(new GeneralName(GeneralName.dNSName, d)));
        for (String ip : ipAddresses) {
            names.add(new GeneralName(GeneralName.iPAddress, ip));
        }
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(certificate, serial(),
                    Date.from(now.minusSeconds(60)), Date.from(now.plus(validity)), new X500Name("CN=" + commonName), keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)))
                    .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate));
            return new Issued(sign(builder, keyPair), keys);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** The CA's private key as PKCS#8 PEM (kept in its own Secret by the built-in controller). */
    public String privateKeyPem() throws IOException {
        return pem(new JcaPKCS8Generator(keyPair.getPrivate(), null).generate());
    }

    /** A CA stored earlier: its certificate and PKCS#8 private key, both PEM. */
    public static CertificateAuthority load(String certificatePem, String privateKeyPem) throws IOException, GeneralSecurityException {
        X509Certificate cert = readCertificate(certificatePem);
        try (org.bouncycastle.openssl.PEMParser parser = new org.bouncycastle.openssl.PEMParser(new java.io.StringReader(privateKeyPem))) {
            Object o = parser.readObject();
            if (!(o instanceof org.bouncycastle.asn1.pkcs.PrivateKeyInfo info)) {
                throw new GeneralSecurityException("not a PKCS#8 private key");
            }
            java.security.PrivateKey key = new org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter().getPrivateKey(info);
            return new CertificateAuthority(new KeyPair(cert.getPublicKey(), key), cert);
        }
    }

    public static X509Certificate readCertificate(String pem) throws GeneralSecurityException {
        return (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    }

    /** A certificate this CA signed, with its key pair. */
    public record Issued(X509Certificate certificate, KeyPair keyPair) {

        /** Writes {@code tls.crt} and {@code tls.key} (PKCS#8, owner-only) into {@code dir}. */
        public void write(Path dir) throws IOException {
            Files.writeString(dir.resolve("tls.crt"), pem(certificate));
            Path key = dir.resolve("tls.key");
            Files.writeString(key, pem(new JcaPKCS8Generator(keyPair.getPrivate(), null).generate()));
            try {
                Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system: nothing more we can do
            }
        }
    }

    public void writeCertificate(Path file) throws IOException {
        Files.writeString(file, pem(certificate));
    }

    public static String pem(Object object) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
        return generator.generateKeyPair();
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer) throws GeneralSecurityException {
        try {
            ContentSigner contentSigner = new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate());
            return new JcaX509CertificateConverter().getCertificate(builder.build(contentSigner));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static BigInteger serial() {
        return new BigInteger(127, new SecureRandom());
    }

}

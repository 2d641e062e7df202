package dev.rofsguard.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * Posts to our own HTTPS port over loopback, trusting exactly the certificate we serve (it is the trust anchor,
 * so no name check is needed for a connection to ourselves). Used to warm up the TLS and HTTP path.
 */
final class SelfProbe {

    private SelfProbe() {
    }

    static void post(int port, String certFile, String path, byte[] body, int times) throws IOException {
        SSLContext context;
        try {
            context = trusting(Path.of(certFile));
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot trust " + certFile + ": " + e.getMessage(), e);
        }
        byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Connection: close\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < times; i++) {
            try (SSLSocket socket = connect(context, port)) {
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                out.write(head);
                out.write(body);
                out.flush();
                InputStream in = socket.getInputStream();
                ByteArrayOutputStream response = new ByteArrayOutputStream();
                in.transferTo(response);
                if (!response.toString(StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200")) {
                    throw new IOException("warm-up request answered: " + response.toString(StandardCharsets.US_ASCII).lines().findFirst().orElse(""));
                }
            }
        }
    }

    /** The server may still be binding when warm-up starts: retry a refused connection for a few seconds. */
    private static SSLSocket connect(SSLContext context, int port) throws IOException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try {
                return (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
            } catch (java.net.ConnectException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private static SSLContext trusting(Path certFile) throws IOException, GeneralSecurityException {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        Collection<? extends Certificate> certs;
        try (InputStream in = Files.newInputStream(certFile)) {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
        int i = 0;
        for (Certificate c : certs) {
            trust.setCertificateEntry("served-" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }
}

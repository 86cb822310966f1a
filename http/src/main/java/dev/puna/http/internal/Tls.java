package dev.puna.http.internal;

import dev.puna.http.ServerConfig;
import dev.puna.http.ServerConfigException;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509KeyManager;

/**
 * HTTPS from {@code PUNA_TLS_CERT} and {@code PUNA_TLS_KEY} (PEM: a certificate chain; a PKCS#8, PKCS#1 RSA or SEC1
 * EC private key), with HTTP/2 and HTTP/1.1 offered through ALPN. Both files are read and checked at start-up,
 * the key against the certificate, so that a missing, unreadable, malformed or mismatched file stops the server
 * with the setting and the file named rather than failing every handshake later.
 */
public final class Tls {
    private Tls() {
    }

    /**
     * Adds TLS to {@code options} when {@code config} has a certificate; returns them.
     *
     * @throws ServerConfigException naming {@code PUNA_TLS_CERT} or {@code PUNA_TLS_KEY} and the file
     */
    public static HttpServerOptions apply(HttpServerOptions options, ServerConfig config, Vertx vertx) {
        Path cert = config.tlsCert();
        Path key = config.tlsKey();
        if (cert == null && key == null) {
            return options;
        }
        if (cert == null || key == null) {
            throw new ServerConfigException(cert == null ? "PUNA_TLS_CERT" : "PUNA_TLS_KEY", "HTTPS needs both "
                    + "PUNA_TLS_CERT and PUNA_TLS_KEY; only " + (cert == null ? "PUNA_TLS_KEY" : "PUNA_TLS_CERT")
                    + " is set");
        }
        byte[] certBytes = read("PUNA_TLS_CERT", cert);
        byte[] keyBytes = read("PUNA_TLS_KEY", key);
        X509Certificate leaf = certificate(cert, certBytes);
        PemKeyCertOptions pem = new PemKeyCertOptions().setCertValue(Buffer.buffer(certBytes))
                .setKeyValue(Buffer.buffer(keyBytes));
        PrivateKey privateKey;
        try {
            privateKey = privateKey(pem.getKeyManagerFactory(vertx));
        } catch (Exception e) {
            throw new ServerConfigException("PUNA_TLS_KEY", "'" + key + "' holds no usable PEM private key: "
                    + (e.getMessage() == null ? e.toString() : e.getMessage()));
        }
        if (privateKey == null || !matches(privateKey, leaf.getPublicKey())) {
            throw new ServerConfigException("PUNA_TLS_KEY", "the private key in '" + key + "' does not belong to the "
                    + "certificate in '" + cert + "' (PUNA_TLS_CERT)");
        }
        return options.setSsl(true).setKeyCertOptions(pem).setUseAlpn(true);
    }

    private static byte[] read(String setting, Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ServerConfigException(setting, "cannot read '" + file + "': " + e);
        }
    }

    private static X509Certificate certificate(Path file, byte[] pem) {
        String text = new String(pem, java.nio.charset.StandardCharsets.ISO_8859_1);
        if (!text.contains("-----BEGIN CERTIFICATE-----")) {
            throw new ServerConfigException("PUNA_TLS_CERT", "'" + file + "' holds no PEM certificate (-----BEGIN "
                    + "CERTIFICATE-----)");
        }
        try {
            Collection<? extends Certificate> chain = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem));
            if (chain.isEmpty() || !(chain.iterator().next() instanceof X509Certificate leaf)) {
                throw new CertificateException("no X.509 certificate");
            }
            return leaf;
        } catch (CertificateException e) {
            throw new ServerConfigException("PUNA_TLS_CERT", "'" + file + "' holds no valid PEM certificate: "
                    + e.getMessage());
        }
    }

    private static PrivateKey privateKey(KeyManagerFactory factory) {
        for (KeyManager km : factory.getKeyManagers()) {
            if (km instanceof X509KeyManager x) {
                for (String type : List.of("RSA", "EC", "EdDSA", "Ed25519", "RSASSA-PSS")) {
                    String[] aliases = x.getServerAliases(type, null);
                    if (aliases != null && aliases.length > 0) {
                        return x.getPrivateKey(aliases[0]);
                    }
                }
            }
        }
        return null;
    }

    /** Whether {@code key} signs what {@code publicKey} verifies. */
    private static boolean matches(PrivateKey key, PublicKey publicKey) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
            case "RSASSA-PSS" -> "RSASSA-PSS";
            default -> null;
        };
        if (algorithm == null) {
            return true; // an algorithm we cannot test: the handshake will tell
        }
        try {
            byte[] data = "puna tls key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            if (algorithm.equals("RSASSA-PSS")) {
                signer.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
                        java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
            }
            signer.initSign(key);
            signer.update(data);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            if (algorithm.equals("RSASSA-PSS")) {
                verifier.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
                        java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
            }
            verifier.initVerify(publicKey);
            verifier.update(data);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}

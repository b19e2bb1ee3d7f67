package io.mycelium.api.identity;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.HttpsConnectionContext;

/**
 * The TLS side of the admin port: the server's certificate and key, TLS 1.3 and 1.2 only, and, when mTLS is on, a
 * {@link SpiffeTrustManager} that demands an X.509-SVID from every client during the handshake.
 *
 * <p>Use {@link #connectionContext()} with Pekko HTTP's {@code Http.get(system).newServerAt(host,
 * port).enableHttps(...)}.
 */
public final class TlsServerContext {

    /** Whether the server asks TLS clients for a certificate. */
    public enum ClientAuth {
        /** No client certificate is asked for (TLS only; clients use bearer tokens). */
        NONE,
        /** A certificate is asked for; a client without one may still connect and use a bearer token. */
        OPTIONAL,
        /** A client without an acceptable certificate fails the handshake. */
        REQUIRED
    }

    private static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    private static final String KEY_ALIAS = "server";

    private final SSLContext sslContext;
    private final ClientAuth clientAuth;
    private final String[] protocols;

    private TlsServerContext(SSLContext sslContext, ClientAuth clientAuth) {
        this.sslContext = sslContext;
        this.clientAuth = clientAuth;
        List<String> supported =
                Arrays.asList(sslContext.getSupportedSSLParameters().getProtocols());
        this.protocols = PROTOCOLS.stream().filter(supported::contains).toArray(String[]::new);
        if (protocols.length == 0) {
            throw new IllegalStateException("this JDK supports neither TLS 1.3 nor TLS 1.2");
        }
    }

    /**
     * Reads the server certificate chain and PKCS#8 private key from PEM files.
     *
     * @param clientCertificates the validator of client certificates; required unless {@code clientAuth} is NONE
     * @throws IOException if a file cannot be read or the key does not belong to the certificate
     */
    public static TlsServerContext load(
            Path certificateChain,
            Path privateKey,
            Optional<X509SvidValidator> clientCertificates,
            ClientAuth clientAuth)
            throws IOException {
        List<X509Certificate> chain = Pem.readCertificates(certificateChain);
        PrivateKey key = Pem.readPrivateKey(privateKey);
        try {
            return create(chain, key, clientCertificates, clientAuth);
        } catch (IllegalArgumentException e) {
            throw new IOException(certificateChain + " and " + privateKey + ": " + e.getMessage(), e);
        }
    }

    /**
     * A context from a certificate chain (leaf first) and its private key.
     *
     * @throws IllegalArgumentException if the key does not belong to the leaf certificate, or client certificates
     *     are asked for without a validator
     */
    public static TlsServerContext create(
            List<X509Certificate> chain,
            PrivateKey key,
            Optional<X509SvidValidator> clientCertificates,
            ClientAuth clientAuth) {
        Objects.requireNonNull(clientAuth, "clientAuth");
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("the server certificate chain is empty");
        }
        if (clientAuth != ClientAuth.NONE && clientCertificates.isEmpty()) {
            throw new IllegalArgumentException(
                    "client authentication " + clientAuth + " needs trust bundles to check client certificates");
        }
        checkKeyMatches(chain.get(0), key);
        try {
            // The password only guards the in-memory key store, which never leaves this method.
            char[] password = new char[0];
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(null, null);
            keyStore.setKeyEntry(KEY_ALIAS, key, password, chain.toArray(X509Certificate[]::new));
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keyStore, password);
            TrustManager[] trustManagers = clientCertificates
                    .map(v -> new TrustManager[] {new SpiffeTrustManager(v)})
                    .orElse(null);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), trustManagers, new SecureRandom());
            return new TlsServerContext(context, clientAuth);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build the TLS server context: " + e.getMessage(), e);
        }
    }

    /** A server-side engine configured for the admin port; Pekko HTTP asks for one per connection. */
    public SSLEngine newEngine() {
        SSLEngine engine = sslContext.createSSLEngine();
        engine.setUseClientMode(false);
        engine.setEnabledProtocols(protocols.clone());
        switch (clientAuth) {
            case REQUIRED -> engine.setNeedClientAuth(true);
            case OPTIONAL -> engine.setWantClientAuth(true);
            case NONE -> engine.setNeedClientAuth(false);
        }
        return engine;
    }

    /** The Pekko HTTP server connection context: each connection gets its own {@link #newEngine()}. */
    public HttpsConnectionContext connectionContext() {
        return ConnectionContext.httpsServer(this::newEngine);
    }

    public ClientAuth clientAuth() {
        return clientAuth;
    }

    /** The enabled protocols, strongest first. */
    public List<String> protocols() {
        return List.of(protocols);
    }

    /**
     * Signs with the key and verifies with the certificate, so that a key from the wrong file is reported at start-up
     * and not as an obscure handshake failure at the first client.
     */
    private static void checkKeyMatches(X509Certificate certificate, PrivateKey key) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
            default -> null;
        };
        if (algorithm == null) {
            return; // An algorithm we cannot probe: the handshake will tell.
        }
        try {
            byte[] probe = new byte[32];
            new SecureRandom().nextBytes(probe);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            if (verifier.verify(signature)) {
                return;
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    "the private key (" + key.getAlgorithm()
                            + ") does not belong to the certificate " + certificate.getSubjectX500Principal() + ": "
                            + e.getMessage(),
                    e);
        }
        throw new IllegalArgumentException(
                "the private key does not belong to the certificate " + certificate.getSubjectX500Principal());
    }
}

package io.mycelium.api.identity;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Objects;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server-side trust manager of the admin port: it accepts a client certificate only if {@link X509SvidValidator}
 * accepts it as an X.509-SVID, so a bad certificate fails the TLS handshake before any HTTP is read.
 *
 * <p>It extends {@link X509ExtendedTrustManager} so that the JDK uses it as is; a plain {@code X509TrustManager}
 * would be wrapped with the JDK's own hostname and algorithm checks, which mean nothing for SPIFFE IDs. It only
 * authenticates clients: asked to trust a server it refuses.
 */
public final class SpiffeTrustManager extends X509ExtendedTrustManager {
    private static final Logger log = LoggerFactory.getLogger(SpiffeTrustManager.class);

    private final X509SvidValidator validator;
    private final X509Certificate[] acceptedIssuers;

    public SpiffeTrustManager(X509SvidValidator validator) {
        this.validator = Objects.requireNonNull(validator, "validator");
        this.acceptedIssuers = validator.bundles().allCertificates().toArray(X509Certificate[]::new);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw serverRefused();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        throw serverRefused();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        throw serverRefused();
    }

    /** The CA certificates of every trust bundle: a client picks its certificate by these issuers. */
    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return acceptedIssuers.clone();
    }

    private void check(X509Certificate[] chain) throws SvidRejectedException {
        try {
            validator.verify(chain);
        } catch (SvidRejectedException e) {
            // The handshake alert tells the client only "bad certificate": the reason is logged here for the operator.
            log.warn("TLS client certificate refused: {}", e.getMessage());
            throw e;
        }
    }

    private static CertificateException serverRefused() {
        return new CertificateException("SpiffeTrustManager authenticates TLS clients only, not servers");
    }
}

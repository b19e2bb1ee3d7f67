package io.mycelium.api.identity;

import java.io.Serial;
import java.security.cert.CertificateException;

/**
 * A certificate chain is not an acceptable X.509-SVID. The message names the rule broken, e.g. "certificate has 2
 * URI SANs; an X.509-SVID has exactly one".
 *
 * <p>It is a {@link CertificateException} so that {@link SpiffeTrustManager} can throw it as is and the TLS handshake
 * fails with it.
 */
public final class SvidRejectedException extends CertificateException {
    @Serial
    private static final long serialVersionUID = 1L;

    public SvidRejectedException(String message) {
        super(message);
    }

    public SvidRejectedException(String message, Throwable cause) {
        super(message, cause);
    }
}

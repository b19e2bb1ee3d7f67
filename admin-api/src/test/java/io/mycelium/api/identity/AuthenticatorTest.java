package io.mycelium.api.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mycelium.api.identity.TestPki.Authority;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.security.cert.Certificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AuthenticatorTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final InetAddress LAN = address("192.0.2.10");
    private static final String TOKEN = "ci-token";

    private static Authority ca;
    private static X509SvidValidator svids;
    private static final BearerTokens TOKENS =
            BearerTokens.of(List.of(BearerTokens.Entry.ofHex("ci", BearerTokens.sha256Hex(TOKEN))));

    @BeforeAll
    static void pki() {
        ca = TestPki.rootCa("example.org");
        svids = new X509SvidValidator(TrustBundles.of(Map.of("example.org", List.of(ca.certificate))));
    }

    @Test
    void aVerifiedClientCertificateIsTheSpiffePrincipal() {
        Authenticator a = new Authenticator(Optional.of(svids), TOKENS, true, LOOPBACK);
        SSLSession tls =
                session(ca.leaf("spiffe://example.org/ci/deployer").issue().chain());
        assertThat(a.authenticate(Optional.of(tls), Optional.of("Bearer " + TOKEN), LOOPBACK))
                .isEqualTo(new Principal("spiffe://example.org/ci/deployer", Principal.Kind.SPIFFE));
    }

    @Test
    void aCertificateThatSlippedThroughTheHandshakeIsStillRefused() {
        // As if the TLS stack had been set up without SpiffeTrustManager: the request-level check catches it, and a
        // token in the same request does not rescue it.
        Authenticator a = new Authenticator(Optional.of(svids), TOKENS, true, LOOPBACK);
        SSLSession tls = session(ca.leaf("spiffe://example.org/a", "spiffe://example.org/b")
                .issue()
                .chain());
        assertThatThrownBy(() -> a.authenticate(Optional.of(tls), Optional.of("Bearer " + TOKEN), LOOPBACK))
                .isInstanceOf(AuthenticationRequiredException.class)
                .hasMessage("client certificate refused: certificate has 2 URI SANs; an X.509-SVID has exactly one");
    }

    @Test
    void aTlsSessionWithoutCertificateFallsBackToTheToken() {
        Authenticator a = new Authenticator(Optional.of(svids), TOKENS, true, LOOPBACK);
        assertThat(a.authenticate(Optional.of(session()), Optional.of("Bearer " + TOKEN), LOOPBACK))
                .isEqualTo(Principal.token("ci"));
    }

    @Test
    void theBearerSchemeIsCaseInsensitive() {
        Authenticator a = new Authenticator(Optional.empty(), TOKENS, false, LAN);
        assertThat(a.authenticate(Optional.empty(), Optional.of("bearer  " + TOKEN), LAN))
                .isEqualTo(Principal.token("ci"));
    }

    @Test
    void aWrongTokenIsRefusedEvenOnLoopback() {
        Authenticator a = new Authenticator(Optional.empty(), TOKENS, true, LOOPBACK);
        assertThatThrownBy(() -> a.authenticate(Optional.empty(), Optional.of("Bearer nope"), LOOPBACK))
                .isInstanceOf(AuthenticationRequiredException.class)
                .hasMessageContaining("bearer token is not recognised")
                .hasMessageNotContaining("nope");
    }

    @Test
    void anotherSchemeIsRefusedWithoutEchoingTheCredentials() {
        Authenticator a = new Authenticator(Optional.empty(), TOKENS, true, LOOPBACK);
        assertThatThrownBy(() -> a.authenticate(Optional.empty(), Optional.of("Basic dXNlcjpwYXNz"), LOOPBACK))
                .hasMessageContaining("uses the 'Basic' scheme")
                .hasMessageNotContaining("dXNlcjpwYXNz");
        assertThatThrownBy(() -> a.authenticate(Optional.empty(), Optional.of("Bearer"), LOOPBACK))
                .hasMessageContaining("no token after 'Bearer'");
    }

    @Test
    void noCredentialsOnALoopbackServerIsTheLocalUser() {
        Authenticator a = new Authenticator(Optional.empty(), BearerTokens.none(), true, LOOPBACK);
        assertThat(a.authenticate(Optional.empty(), Optional.empty(), LOOPBACK))
                .isEqualTo(new Principal(System.getProperty("user.name"), Principal.Kind.LOCAL))
                .isEqualTo(Principal.local());
    }

    @Test
    void pekkosPlaceholderSessionOfAPlainConnectionIsNotTls() throws Exception {
        // What Pekko HTTP attaches to plain-HTTP requests when ssl-session-attribute is on: an engine's unused session.
        SSLSession placeholder =
                javax.net.ssl.SSLContext.getDefault().createSSLEngine().getSession();
        assertThat(placeholder.getProtocol()).isEqualTo("NONE");
        Authenticator a = new Authenticator(Optional.empty(), TOKENS, true, LOOPBACK);
        assertThat(a.authenticate(Optional.of(placeholder), Optional.empty(), LOOPBACK))
                .isEqualTo(Principal.local());
    }

    @Test
    void theLocalUserNeedsLoopbackOnBothEndsNoTlsAndTheSettingOn() {
        String how = "authentication required";
        assertThatThrownBy(() -> new Authenticator(Optional.empty(), TOKENS, true, LAN)
                        .authenticate(Optional.empty(), Optional.empty(), LOOPBACK))
                .hasMessageContaining(how);
        assertThatThrownBy(() -> new Authenticator(Optional.empty(), TOKENS, true, LOOPBACK)
                        .authenticate(Optional.empty(), Optional.empty(), LAN))
                .hasMessageContaining(how);
        assertThatThrownBy(() -> new Authenticator(Optional.empty(), TOKENS, false, LOOPBACK)
                        .authenticate(Optional.empty(), Optional.empty(), LOOPBACK))
                .hasMessageContaining(how);
        assertThatThrownBy(() -> new Authenticator(Optional.of(svids), TOKENS, true, LOOPBACK)
                        .authenticate(Optional.of(session()), Optional.empty(), LOOPBACK))
                .hasMessageContaining(how);
        assertThatThrownBy(() -> new Authenticator(Optional.empty(), TOKENS, true, LOOPBACK)
                        .authenticate(Optional.empty(), Optional.empty(), Optional.empty()))
                .hasMessageContaining(how);
    }

    @Test
    void theRefusalSaysHowToAuthenticate() {
        assertThatThrownBy(() -> new Authenticator(Optional.of(svids), TOKENS, false, LOOPBACK)
                        .authenticate(Optional.empty(), Optional.empty(), LOOPBACK))
                .isInstanceOf(AuthenticationRequiredException.class)
                .hasMessage("authentication required: present a SPIFFE X.509-SVID client certificate (mTLS) of trust"
                        + " domain example.org, or send 'Authorization: Bearer <token>'");
        assertThatThrownBy(() -> new Authenticator(Optional.empty(), BearerTokens.none(), false, LOOPBACK)
                        .authenticate(Optional.empty(), Optional.empty(), LOOPBACK))
                .hasMessageContaining("its operator can configure bearer tokens (mycelium.node.identity.tokens)");
    }

    /** An SSLSession whose peer presented {@code chain}; no chain means no client certificate. */
    private static SSLSession session(Certificate... chain) {
        return (SSLSession) Proxy.newProxyInstance(
                AuthenticatorTest.class.getClassLoader(), new Class<?>[] {SSLSession.class}, (proxy, method, args) -> {
                    return switch (method.getName()) {
                        case "getProtocol" -> "TLSv1.3";
                        case "getCipherSuite" -> "TLS_AES_128_GCM_SHA256";
                        case "getPeerCertificates" -> {
                            if (chain.length == 0) {
                                throw new SSLPeerUnverifiedException("peer not authenticated");
                            }
                            yield chain.clone();
                        }
                        default -> throw new UnsupportedOperationException(method.getName());
                    };
                });
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}

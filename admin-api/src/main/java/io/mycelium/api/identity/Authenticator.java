package io.mycelium.api.identity;

import java.net.InetAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Establishes the {@link Principal} of an admin API request, trying in order:
 *
 * <ol>
 *   <li>the SPIFFE ID of the client certificate of the TLS session, re-validated here as an X.509-SVID even though
 *       the handshake already checked it (defence in depth: a TLS stack configured by mistake without {@link
 *       SpiffeTrustManager} must not let an unchecked certificate through). A certificate that fails is refused, not
 *       skipped, so it never falls back to a weaker method;
 *   <li>an {@code Authorization: Bearer <token>} header; a header that is present but wrong is refused;
 *   <li>the local user, when allowed: local-principal is on, the request came without TLS, and both the server's
 *       bind address and the client's address are loopback (the default single node on 127.0.0.1, where anyone who
 *       can connect is already on this machine).
 * </ol>
 *
 * Otherwise {@link AuthenticationRequiredException}, whose message says how to authenticate. Thread-safe.
 */
public final class Authenticator {
    private final Optional<X509SvidValidator> svids;
    private final BearerTokens tokens;
    private final boolean localPrincipal;
    private final InetAddress boundAddress;

    /**
     * @param svids the validator of client certificates, present when mTLS is on
     * @param tokens the accepted bearer tokens
     * @param localPrincipal whether the local user may be the principal of a request without credentials
     * @param boundAddress the address the admin server is bound to
     */
    public Authenticator(
            Optional<X509SvidValidator> svids, BearerTokens tokens, boolean localPrincipal, InetAddress boundAddress) {
        this.svids = Objects.requireNonNull(svids, "svids");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.localPrincipal = localPrincipal;
        this.boundAddress = Objects.requireNonNull(boundAddress, "boundAddress");
    }

    /**
     * The principal of a request.
     *
     * @param tls the TLS session of the connection, empty for plain HTTP (Pekko's placeholder session of a plain
     *     connection counts as empty)
     * @param authorizationHeader the value of the {@code Authorization} header, if any
     * @param remote the client's address (from the connection, never from a forwarding header)
     * @throws AuthenticationRequiredException if no acceptable credential was presented
     */
    public Principal authenticate(Optional<SSLSession> tls, Optional<String> authorizationHeader, InetAddress remote) {
        return authenticate(tls, authorizationHeader, Optional.of(remote));
    }

    /**
     * As {@link #authenticate(Optional, Optional, InetAddress)}, for when the client's address may be unknown (it
     * then never counts as loopback).
     */
    public Principal authenticate(
            Optional<SSLSession> tlsSession, Optional<String> authorizationHeader, Optional<InetAddress> remote) {
        Optional<SSLSession> tls = tlsSession.filter(Authenticator::isNegotiated);
        Optional<X509Certificate[]> clientChain = tls.flatMap(Authenticator::peerChain);
        if (clientChain.isPresent() && svids.isPresent()) {
            try {
                return svids.get().validate(clientChain.get());
            } catch (SvidRejectedException e) {
                throw new AuthenticationRequiredException("client certificate refused: " + e.getMessage(), e);
            }
        }
        if (authorizationHeader.isPresent()) {
            return bearer(authorizationHeader.get());
        }
        if (localPrincipal
                && tls.isEmpty()
                && boundAddress.isLoopbackAddress()
                && remote.map(InetAddress::isLoopbackAddress).orElse(false)) {
            return Principal.local();
        }
        throw new AuthenticationRequiredException("authentication required: " + howToAuthenticate());
    }

    private Principal bearer(String header) {
        String value = header.trim();
        int space = value.indexOf(' ');
        String scheme = space < 0 ? value : value.substring(0, space);
        if (!scheme.toLowerCase(Locale.ROOT).equals("bearer")) {
            // Only the scheme is echoed: what follows it may be a secret.
            throw new AuthenticationRequiredException("the Authorization header uses the '" + printable(scheme)
                    + "' scheme; this API takes 'Authorization: Bearer <token>'");
        }
        String token = space < 0 ? "" : value.substring(space + 1).trim();
        if (token.isEmpty()) {
            throw new AuthenticationRequiredException("the Authorization header has no token after 'Bearer'");
        }
        if (tokens.isEmpty()) {
            throw new AuthenticationRequiredException("this node accepts no bearer tokens: " + howToAuthenticate());
        }
        return tokens.authenticate(token)
                .orElseThrow(() -> new AuthenticationRequiredException(
                        "the bearer token is not recognised; ask the node's operator for a token"));
    }

    private String howToAuthenticate() {
        List<String> ways = new ArrayList<>();
        svids.ifPresent(v -> ways.add("present a SPIFFE X.509-SVID client certificate (mTLS) of trust domain "
                + String.join(" or ", v.bundles().trustDomains())));
        if (!tokens.isEmpty()) {
            ways.add("send 'Authorization: Bearer <token>'");
        }
        if (ways.isEmpty()) {
            return "this node accepts no credentials from this client; its operator can configure bearer tokens"
                    + " (mycelium.node.identity.tokens) or mTLS (mycelium.node.identity.tls.trust-bundles)";
        }
        return String.join(", or ", ways);
    }

    /**
     * Pekko HTTP gives plain-HTTP requests a placeholder session too (protocol {@code NONE}, cipher suite {@code
     * SSL_NULL_WITH_NULL_NULL}) when the SSL session attribute is on; it must count as no TLS.
     */
    private static boolean isNegotiated(SSLSession session) {
        return !"NONE".equals(session.getProtocol()) && !"SSL_NULL_WITH_NULL_NULL".equals(session.getCipherSuite());
    }

    private static Optional<X509Certificate[]> peerChain(SSLSession session) {
        Certificate[] peer;
        try {
            peer = session.getPeerCertificates();
        } catch (SSLPeerUnverifiedException noClientCertificate) {
            return Optional.empty();
        }
        if (peer == null || peer.length == 0) {
            return Optional.empty();
        }
        X509Certificate[] chain = new X509Certificate[peer.length];
        for (int i = 0; i < peer.length; i++) {
            if (!(peer[i] instanceof X509Certificate x509)) {
                throw new AuthenticationRequiredException("client certificate refused: it is not an X.509 certificate");
            }
            chain[i] = x509;
        }
        return Optional.of(chain);
    }

    private static String printable(String s) {
        String cut = s.length() > 20 ? s.substring(0, 20) + "..." : s;
        return cut.replaceAll("[^\\x21-\\x7e]", "?");
    }
}

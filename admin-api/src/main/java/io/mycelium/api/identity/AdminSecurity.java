package io.mycelium.api.identity;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the admin server needs from this package, built once from {@link IdentitySettings}: the {@link
 * Authenticator} for {@link AuthDirectives#authenticated} and, when TLS is on, the {@link TlsServerContext} for
 * {@code enableHttps}. Both share one {@link X509SvidValidator}, so the handshake and the per-request check trust
 * the same bundles.
 *
 * <pre>{@code
 * AdminSecurity security = AdminSecurity.load(IdentitySettings.fromConfig(config), InetAddress.getByName(host));
 * ServerBuilder server = Http.get(system).newServerAt(host, port).adaptSettings(AuthDirectives::serverSettings);
 * if (security.tls().isPresent()) {
 *     server = server.enableHttps(security.tls().get().connectionContext());
 * }
 * server.bind(AuthDirectives.authenticated(security.authenticator(), principal -> routes(principal)));
 * }</pre>
 */
public final class AdminSecurity {
    private static final Logger log = LoggerFactory.getLogger(AdminSecurity.class);

    private final Authenticator authenticator;
    private final Optional<TlsServerContext> tls;

    private AdminSecurity(Authenticator authenticator, Optional<TlsServerContext> tls) {
        this.authenticator = authenticator;
        this.tls = tls;
    }

    /**
     * Loads the trust bundles, the server certificate and key named by the settings.
     *
     * @param boundAddress the address the admin server binds to: the local principal needs a loopback one
     * @throws IOException naming the file that could not be read or used
     */
    public static AdminSecurity load(IdentitySettings settings, InetAddress boundAddress) throws IOException {
        return load(settings, boundAddress, Clock.systemUTC());
    }

    /** As {@link #load(IdentitySettings, InetAddress)}, with the clock certificate validity is checked against. */
    public static AdminSecurity load(IdentitySettings settings, InetAddress boundAddress, Clock clock)
            throws IOException {
        Objects.requireNonNull(settings, "settings");
        IdentitySettings.Tls tlsSettings = settings.tls();
        Optional<X509SvidValidator> svids = Optional.empty();
        if (tlsSettings.mutual()) {
            svids = Optional.of(new X509SvidValidator(TrustBundles.load(tlsSettings.trustBundles()), clock));
        }
        Optional<TlsServerContext> tls = Optional.empty();
        if (tlsSettings.enabled()) {
            tls = Optional.of(TlsServerContext.load(
                    tlsSettings.certificate().orElseThrow(),
                    tlsSettings.privateKey().orElseThrow(),
                    svids,
                    tlsSettings.effectiveClientAuth()));
        }
        boolean local = settings.localPrincipal() && boundAddress.isLoopbackAddress();
        log.info(
                "admin API identity: TLS {}, client certificates {} (trust domains {}), bearer tokens for {}, local"
                        + " principal {}",
                tlsSettings.enabled() ? "on" : "off",
                tlsSettings.effectiveClientAuth(),
                tlsSettings.trustBundles().keySet(),
                settings.tokens().principals(),
                local ? "on (loopback bind)" : settings.localPrincipal() ? "off (not bound to loopback)" : "off");
        Authenticator authenticator =
                new Authenticator(svids, settings.tokens(), settings.localPrincipal(), boundAddress);
        return new AdminSecurity(authenticator, tls);
    }

    public Authenticator authenticator() {
        return authenticator;
    }

    /** The TLS context of the admin port; empty when it serves plain HTTP. */
    public Optional<TlsServerContext> tls() {
        return tls;
    }
}

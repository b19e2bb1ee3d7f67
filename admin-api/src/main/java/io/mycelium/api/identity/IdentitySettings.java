package io.mycelium.api.identity;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * How the admin API establishes who is calling, from {@code mycelium.node.identity} (defaults in {@code
 * mycelium-identity.conf}).
 *
 * <pre>
 * mycelium.node.identity {
 *   tls {
 *     enabled = off
 *     certificate = ""          # PEM: the server certificate, then its intermediates
 *     private-key = ""          # PEM: unencrypted PKCS#8 (EC or RSA)
 *     trust-bundles { }         # "example.org" = "/etc/mycelium/example.org.pem"; non-empty = mTLS
 *     client-auth = required    # with trust bundles: required | optional (optional lets token clients in)
 *   }
 *   tokens = []                 # [ { principal = "ci", sha256 = "&lt;hex of sha256(token)&gt;" } ]
 *   local-principal = on        # no TLS session, no token: the local user, on a loopback-only server
 * }
 * </pre>
 *
 * @param tls the TLS and mTLS settings of the admin port
 * @param tokens the accepted bearer tokens
 * @param localPrincipal whether a request with no credentials is the local user when the server and the client are
 *     both on a loopback address
 */
public record IdentitySettings(Tls tls, BearerTokens tokens, boolean localPrincipal) {

    /** The configuration path read by {@link #fromConfig}. */
    public static final String PATH = "mycelium.node.identity";

    /**
     * TLS on the admin port.
     *
     * @param enabled whether the admin port speaks TLS
     * @param certificate the PEM file of the server certificate chain (present when enabled)
     * @param privateKey the PEM file of the server's PKCS#8 private key (present when enabled)
     * @param trustBundles the PEM file of the CA bundle of each trusted SPIFFE trust domain; mTLS is on when there is
     *     at least one
     * @param clientAuth whether a client certificate is required or optional when mTLS is on
     */
    public record Tls(
            boolean enabled,
            Optional<Path> certificate,
            Optional<Path> privateKey,
            Map<String, Path> trustBundles,
            TlsServerContext.ClientAuth clientAuth) {

        public Tls {
            trustBundles = Map.copyOf(trustBundles);
        }

        /** TLS off, as on the default single node. */
        public static Tls disabled() {
            return new Tls(false, Optional.empty(), Optional.empty(), Map.of(), TlsServerContext.ClientAuth.NONE);
        }

        /** Whether clients are asked for SPIFFE certificates. */
        public boolean mutual() {
            return enabled && !trustBundles.isEmpty();
        }

        /** What the TLS server asks of clients: nothing without trust bundles, else {@link #clientAuth}. */
        public TlsServerContext.ClientAuth effectiveClientAuth() {
            return mutual() ? clientAuth : TlsServerContext.ClientAuth.NONE;
        }
    }

    /**
     * Reads and checks the settings at {@value #PATH}.
     *
     * @throws ConfigException.BadValue naming the key, if a value is missing or inconsistent
     */
    public static IdentitySettings fromConfig(Config root) {
        Config c = root.getConfig(PATH);
        return new IdentitySettings(tls(c.getConfig("tls")), tokens(c), c.getBoolean("local-principal"));
    }

    private static Tls tls(Config c) {
        boolean enabled = c.getBoolean("enabled");
        Optional<Path> certificate = path(c, "certificate");
        Optional<Path> privateKey = path(c, "private-key");
        Map<String, Path> bundles = trustBundles(c);
        TlsServerContext.ClientAuth clientAuth = clientAuth(c);
        if (enabled && certificate.isEmpty()) {
            throw new ConfigException.BadValue(
                    PATH + ".tls.certificate", "TLS is enabled: set the PEM file of the server certificate");
        }
        if (enabled && privateKey.isEmpty()) {
            throw new ConfigException.BadValue(
                    PATH + ".tls.private-key", "TLS is enabled: set the PEM file of the server's PKCS#8 private key");
        }
        if (!enabled && !bundles.isEmpty()) {
            // Silently serving plain HTTP when the operator asked for client certificates would be a security hole.
            throw new ConfigException.BadValue(
                    PATH + ".tls.trust-bundles",
                    "trust bundles are set but tls.enabled = off: client certificates need TLS; turn it on");
        }
        return new Tls(enabled, certificate, privateKey, bundles, clientAuth);
    }

    private static Optional<Path> path(Config c, String key) {
        String value = c.getString(key).trim();
        return value.isEmpty() ? Optional.empty() : Optional.of(Path.of(value));
    }

    private static Map<String, Path> trustBundles(Config c) {
        Map<String, Path> bundles = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigValue> e : c.getObject("trust-bundles").entrySet()) {
            String key = PATH + ".tls.trust-bundles." + e.getKey();
            if (e.getValue().valueType() != ConfigValueType.STRING) {
                throw new ConfigException.BadValue(
                        key,
                        "expected the path of a PEM file; a trust domain with dots must be quoted,"
                                + " e.g. \"example.org\" = \"/etc/mycelium/example.org.pem\"");
            }
            try {
                new SpiffeId(e.getKey(), "");
            } catch (IllegalArgumentException ex) {
                throw new ConfigException.BadValue(key, "not a trust domain name: " + ex.getMessage(), ex);
            }
            bundles.put(e.getKey(), Path.of((String) e.getValue().unwrapped()));
        }
        return bundles;
    }

    private static TlsServerContext.ClientAuth clientAuth(Config c) {
        String value = c.getString("client-auth").trim().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "required" -> TlsServerContext.ClientAuth.REQUIRED;
            case "optional" -> TlsServerContext.ClientAuth.OPTIONAL;
            default ->
                throw new ConfigException.BadValue(
                        PATH + ".tls.client-auth", "expected 'required' or 'optional', got '" + value + "'");
        };
    }

    private static BearerTokens tokens(Config c) {
        List<BearerTokens.Entry> entries = new ArrayList<>();
        List<? extends Config> list = c.getConfigList("tokens");
        for (int i = 0; i < list.size(); i++) {
            Config token = list.get(i);
            String key = PATH + ".tokens[" + i + "]";
            if (!token.hasPath("principal") || !token.hasPath("sha256")) {
                throw new ConfigException.BadValue(key, "a token needs 'principal' and 'sha256'");
            }
            try {
                entries.add(BearerTokens.Entry.ofHex(token.getString("principal"), token.getString("sha256")));
            } catch (IllegalArgumentException e) {
                throw new ConfigException.BadValue(key, e.getMessage(), e);
            }
        }
        try {
            return BearerTokens.of(entries);
        } catch (IllegalArgumentException e) {
            throw new ConfigException.BadValue(PATH + ".tokens", e.getMessage(), e);
        }
    }
}

package io.mycelium.api.identity;

import java.util.Objects;

/**
 * Who made a request to the admin API, as established by the {@link Authenticator}.
 *
 * @param name the SPIFFE ID ({@code spiffe://example.org/ci/deployer}), the principal name configured for a bearer
 *     token, or the local user name
 * @param kind how the principal was established
 */
public record Principal(String name, Kind kind) {

    /** How a principal was established; authorization rules may treat them differently. */
    public enum Kind {
        /** From the SPIFFE ID of a verified X.509-SVID client certificate (mTLS). */
        SPIFFE,
        /** From a bearer token matched against the configured digests. */
        TOKEN,
        /** The user running the node, granted to unauthenticated requests on a loopback-only server. */
        LOCAL
    }

    public Principal {
        Objects.requireNonNull(kind, "kind");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a principal needs a name");
        }
    }

    /** The principal of a verified SPIFFE ID. */
    public static Principal spiffe(SpiffeId id) {
        return new Principal(id.toString(), Kind.SPIFFE);
    }

    /** The principal a bearer token was configured for. */
    public static Principal token(String name) {
        return new Principal(name, Kind.TOKEN);
    }

    /** The user running this JVM (system property {@code user.name}). */
    public static Principal local() {
        String user = System.getProperty("user.name", "");
        // user.name is set by every JVM we run on; the fallback keeps a stripped-down runtime from failing here.
        return new Principal(user.isBlank() ? "local" : user, Kind.LOCAL);
    }
}

/**
 * Who is calling the admin API: the SPIFFE ID of an mTLS client certificate (X.509-SVID), a bearer token, or, on a
 * node bound to loopback, the local user.
 *
 * <p>Entry points: {@link io.mycelium.node.identity.IdentitySettings} (configuration), {@link
 * io.mycelium.node.identity.AdminSecurity} (builds the rest), {@link io.mycelium.node.identity.AuthDirectives} (the
 * Pekko HTTP directive).
 */
package io.mycelium.node.identity;

/**
 * Who is calling the admin API: the SPIFFE ID of an mTLS client certificate (X.509-SVID), a bearer token, or, on a
 * node bound to loopback, the local user.
 *
 * <p>Entry points: {@link io.mycelium.api.identity.IdentitySettings} (configuration), {@link
 * io.mycelium.api.identity.AdminSecurity} (builds the rest), {@link io.mycelium.api.identity.AuthDirectives} (the
 * Pekko HTTP directive).
 */
package io.mycelium.api.identity;

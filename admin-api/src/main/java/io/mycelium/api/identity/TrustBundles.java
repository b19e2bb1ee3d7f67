package io.mycelium.api.identity;

import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The X.509 CA certificates trusted for each SPIFFE trust domain.
 *
 * <p>Bundles are kept apart per trust domain, so that a CA of one trust domain can never vouch for an SVID of another
 * (the SPIFFE federation model): {@link X509SvidValidator} picks the bundle by the trust domain of the certificate's
 * SPIFFE ID before path validation.
 */
public final class TrustBundles {
    private final Map<String, Set<X509Certificate>> bundles;

    private TrustBundles(Map<String, Set<X509Certificate>> bundles) {
        this.bundles = bundles;
    }

    /**
     * Bundles from certificates in memory.
     *
     * @throws IllegalArgumentException if a trust domain name is not valid or a bundle is empty
     */
    public static TrustBundles of(Map<String, ? extends Collection<X509Certificate>> certificatesByTrustDomain) {
        Map<String, Set<X509Certificate>> copy = new LinkedHashMap<>();
        certificatesByTrustDomain.forEach((trustDomain, certificates) -> {
            checkTrustDomain(trustDomain);
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException("the trust bundle of '" + trustDomain + "' has no certificate");
            }
            copy.put(trustDomain, Set.copyOf(new LinkedHashSet<>(certificates)));
        });
        return new TrustBundles(Map.copyOf(copy));
    }

    /**
     * Bundles read from PEM files, one file per trust domain, each holding one or more CA certificates.
     *
     * @throws IOException naming the trust domain and file that could not be read
     */
    public static TrustBundles load(Map<String, Path> pemFileByTrustDomain) throws IOException {
        Map<String, List<X509Certificate>> certificates = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : pemFileByTrustDomain.entrySet()) {
            checkTrustDomain(e.getKey());
            try {
                certificates.put(e.getKey(), Pem.readCertificates(e.getValue()));
            } catch (IOException ex) {
                throw new IOException(
                        "cannot load the trust bundle of '" + e.getKey() + "' from " + e.getValue() + ": "
                                + ex.getMessage(),
                        ex);
            }
        }
        return of(certificates);
    }

    /** No trust domain at all: every client certificate is refused. */
    public static TrustBundles none() {
        return new TrustBundles(Map.of());
    }

    /** The trust domains that have a bundle. */
    public Set<String> trustDomains() {
        return bundles.keySet();
    }

    /** The CA certificates of a trust domain; empty if it has no bundle. */
    public Set<X509Certificate> certificates(String trustDomain) {
        return bundles.getOrDefault(trustDomain, Set.of());
    }

    /** The PKIX trust anchors of a trust domain; empty if it has no bundle. */
    public Set<TrustAnchor> trustAnchors(String trustDomain) {
        return certificates(trustDomain).stream()
                .map(c -> new TrustAnchor(c, null))
                .collect(Collectors.toUnmodifiableSet());
    }

    /** Every CA certificate of every bundle, e.g. for a TLS server's list of acceptable issuers. */
    public Set<X509Certificate> allCertificates() {
        return bundles.values().stream().flatMap(Set::stream).collect(Collectors.toUnmodifiableSet());
    }

    public boolean isEmpty() {
        return bundles.isEmpty();
    }

    @Override
    public String toString() {
        return "TrustBundles" + bundles.keySet();
    }

    private static void checkTrustDomain(String trustDomain) {
        try {
            new SpiffeId(trustDomain, "");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "'" + trustDomain + "' is not a trust domain name: " + e.getMessage(), e);
        }
    }
}

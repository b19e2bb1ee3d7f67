package io.mycelium.api.identity;

import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Verifies a client certificate chain as an X.509-SVID (SPIFFE X509-SVID standard, sections 3-5) and yields its
 * SPIFFE ID as the {@link Principal}.
 *
 * <p>The rules, checked in this order, each refused with a {@link SvidRejectedException} naming it:
 *
 * <ol>
 *   <li>the leaf has exactly one URI SAN, it parses as a {@link SpiffeId}, and its path is not empty (a leaf names a
 *       workload, not a trust domain);
 *   <li>the leaf is not a CA (basicConstraints {@code cA} false);
 *   <li>the leaf has a key usage extension with {@code digitalSignature} and without {@code keyCertSign} or {@code
 *       cRLSign} (the standard makes the extension mandatory, so its absence is refused too);
 *   <li>if the leaf has an extended key usage extension, it allows client authentication;
 *   <li>the leaf is within its validity dates;
 *   <li>the SPIFFE ID's trust domain has a bundle, and the chain validates with PKIX (revocation off, as SVIDs are
 *       short-lived and SPIFFE has no revocation) to a CA of that bundle and of no other.
 * </ol>
 *
 * <p>Thread-safe; a validator may be shared by every connection.
 */
public final class X509SvidValidator {
    private static final int URI_SAN = 6;
    private static final int DIGITAL_SIGNATURE = 0;
    private static final int KEY_CERT_SIGN = 5;
    private static final int CRL_SIGN = 6;
    private static final String EKU_CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final String EKU_ANY = "2.5.29.37.0";

    private final TrustBundles bundles;
    private final Clock clock;

    public X509SvidValidator(TrustBundles bundles) {
        this(bundles, Clock.systemUTC());
    }

    /** A validator that takes "now" from {@code clock}, so tests can check validity dates. */
    public X509SvidValidator(TrustBundles bundles, Clock clock) {
        this.bundles = Objects.requireNonNull(bundles, "bundles");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The bundles this validator trusts. */
    public TrustBundles bundles() {
        return bundles;
    }

    /**
     * The principal of an X.509-SVID chain.
     *
     * @param chain the peer's certificates, leaf first, as a TLS handshake or {@code SSLSession} gives them
     * @throws SvidRejectedException naming the rule the chain breaks
     */
    public Principal validate(X509Certificate[] chain) throws SvidRejectedException {
        return Principal.spiffe(verify(chain));
    }

    /**
     * The SPIFFE ID of an X.509-SVID chain; see {@link #validate}.
     *
     * @throws SvidRejectedException naming the rule the chain breaks
     */
    public SpiffeId verify(X509Certificate[] chain) throws SvidRejectedException {
        if (chain == null || chain.length == 0) {
            throw new SvidRejectedException("no client certificate was presented");
        }
        X509Certificate leaf = chain[0];
        SpiffeId id = spiffeId(leaf);
        checkLeafIsNotCa(leaf, id);
        checkKeyUsage(leaf, id);
        checkExtendedKeyUsage(leaf, id);
        checkValidity(leaf, id);
        checkPath(chain, id);
        return id;
    }

    private static SpiffeId spiffeId(X509Certificate leaf) throws SvidRejectedException {
        Collection<List<?>> sans;
        try {
            sans = leaf.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            throw new SvidRejectedException(
                    "certificate's subject alternative names do not parse: " + e.getMessage(), e);
        }
        List<String> uris = sans == null
                ? List.of()
                : sans.stream()
                        .filter(san ->
                                san.size() == 2 && Integer.valueOf(URI_SAN).equals(san.get(0)))
                        .map(san -> String.valueOf(san.get(1)))
                        .toList();
        if (uris.isEmpty()) {
            throw new SvidRejectedException(
                    "certificate has no URI SAN; an X.509-SVID has exactly one, holding its SPIFFE ID");
        }
        if (uris.size() > 1) {
            // Which of several IDs would be the principal is ambiguous, so the standard says refuse.
            throw new SvidRejectedException(
                    "certificate has " + uris.size() + " URI SANs; an X.509-SVID has exactly one");
        }
        SpiffeId id;
        try {
            id = SpiffeId.parse(uris.get(0));
        } catch (IllegalArgumentException e) {
            throw new SvidRejectedException("certificate's URI SAN is not a valid SPIFFE ID: " + e.getMessage(), e);
        }
        if (id.isTrustDomainId()) {
            throw new SvidRejectedException("certificate's SPIFFE ID " + id
                    + " has no path; an X.509-SVID leaf names a workload, so its path cannot be empty");
        }
        return id;
    }

    private static void checkLeafIsNotCa(X509Certificate leaf, SpiffeId id) throws SvidRejectedException {
        if (leaf.getBasicConstraints() >= 0) {
            throw new SvidRejectedException("certificate of " + id
                    + " is a CA (basicConstraints cA=true); an X.509-SVID leaf must not be a CA");
        }
    }

    private static void checkKeyUsage(X509Certificate leaf, SpiffeId id) throws SvidRejectedException {
        boolean[] usage = leaf.getKeyUsage();
        if (usage == null) {
            throw new SvidRejectedException("certificate of " + id
                    + " has no key usage extension; an X.509-SVID leaf must have one with digitalSignature");
        }
        if (isSet(usage, KEY_CERT_SIGN) || isSet(usage, CRL_SIGN)) {
            throw new SvidRejectedException("certificate of " + id
                    + " has key usage keyCertSign or cRLSign; an X.509-SVID leaf must not sign certificates or CRLs");
        }
        if (!isSet(usage, DIGITAL_SIGNATURE)) {
            throw new SvidRejectedException(
                    "certificate of " + id + " lacks key usage digitalSignature, which an X.509-SVID leaf must have");
        }
    }

    private static void checkExtendedKeyUsage(X509Certificate leaf, SpiffeId id) throws SvidRejectedException {
        List<String> eku;
        try {
            eku = leaf.getExtendedKeyUsage();
        } catch (CertificateParsingException e) {
            throw new SvidRejectedException(
                    "certificate of " + id + ": the extended key usage does not parse: " + e.getMessage(), e);
        }
        // Absent means "any purpose"; present, it must allow what this certificate is used for here.
        if (eku != null && !eku.contains(EKU_CLIENT_AUTH) && !eku.contains(EKU_ANY)) {
            throw new SvidRejectedException("certificate of " + id
                    + " has an extended key usage without clientAuth, so it may not authenticate a client");
        }
    }

    private void checkValidity(X509Certificate leaf, SpiffeId id) throws SvidRejectedException {
        Date now = Date.from(clock.instant());
        try {
            leaf.checkValidity(now);
        } catch (CertificateExpiredException e) {
            throw new SvidRejectedException(
                    "certificate of " + id + " expired at " + leaf.getNotAfter().toInstant(), e);
        } catch (CertificateNotYetValidException e) {
            throw new SvidRejectedException(
                    "certificate of " + id + " is not valid before "
                            + leaf.getNotBefore().toInstant(),
                    e);
        }
    }

    private void checkPath(X509Certificate[] chain, SpiffeId id) throws SvidRejectedException {
        Set<X509Certificate> bundle = bundles.certificates(id.trustDomain());
        if (bundle.isEmpty()) {
            throw new SvidRejectedException("certificate of " + id + " is from trust domain '" + id.trustDomain()
                    + "', which has no trust bundle here (trusted: " + bundles.trustDomains() + ")");
        }
        Set<TrustAnchor> anchors = bundles.trustAnchors(id.trustDomain());
        // A PKIX path ends below its trust anchor: drop a root the peer sent along that is one of the anchors.
        List<X509Certificate> path = new ArrayList<>(Arrays.asList(chain));
        while (path.size() > 1 && bundle.contains(path.get(path.size() - 1))) {
            path.remove(path.size() - 1);
        }
        try {
            CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
            PKIXParameters parameters = new PKIXParameters(anchors);
            // SVIDs are short-lived and SPIFFE defines no revocation; and the admin port must not depend on a CRL URL.
            parameters.setRevocationEnabled(false);
            parameters.setDate(Date.from(clock.instant()));
            CertPathValidator.getInstance("PKIX").validate(certPath, parameters);
        } catch (CertPathValidatorException e) {
            throw new SvidRejectedException(
                    "certificate of " + id + " does not chain to the trust bundle of '" + id.trustDomain() + "': "
                            + e.getMessage(),
                    e);
        } catch (InvalidAlgorithmParameterException e) {
            throw new SvidRejectedException(
                    "the trust bundle of '" + id.trustDomain() + "' is unusable: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new SvidRejectedException("certificate of " + id + " could not be validated: " + e.getMessage(), e);
        }
    }

    private static boolean isSet(boolean[] usage, int bit) {
        return usage.length > bit && usage[bit];
    }
}

package io.mycelium.api.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mycelium.api.identity.TestPki.Authority;
import io.mycelium.api.identity.TestPki.Issued;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class X509SvidValidatorTest {
    private static final String DEPLOYER = "spiffe://example.org/ci/deployer";

    private static Authority exampleCa;
    private static Authority otherCa;
    private static Authority rogueCa;
    private static X509SvidValidator validator;

    @BeforeAll
    static void pki() {
        exampleCa = TestPki.rootCa("example.org");
        otherCa = TestPki.rootCa("other.org");
        // Claims to be example.org's CA, but is not in the bundle.
        rogueCa = TestPki.rootCa("example.org");
        validator = new X509SvidValidator(TrustBundles.of(Map.of(
                "example.org", List.of(exampleCa.certificate),
                "other.org", List.of(otherCa.certificate))));
    }

    @Test
    void acceptsAnSvidAndYieldsItsSpiffeId() throws Exception {
        Issued svid = exampleCa.leaf(DEPLOYER).dns("deployer.internal").issue();
        assertThat(validator.validate(svid.chain())).isEqualTo(new Principal(DEPLOYER, Principal.Kind.SPIFFE));
    }

    @Test
    void acceptsAnSvidIssuedByAnIntermediate() throws Exception {
        Issued svid = exampleCa
                .intermediate("example.org intermediate")
                .leaf(DEPLOYER)
                .issue();
        assertThat(svid.chain()).hasSize(2);
        assertThat(validator.verify(svid.chain())).isEqualTo(SpiffeId.parse(DEPLOYER));
    }

    @Test
    void acceptsAChainThatIncludesTheRoot() throws Exception {
        Issued svid = exampleCa.leaf(DEPLOYER).issue();
        X509Certificate[] withRoot = {svid.leaf(), exampleCa.certificate};
        assertThat(validator.verify(withRoot)).hasToString(DEPLOYER);
    }

    @Test
    void acceptsALeafWithoutExtendedKeyUsage() throws Exception {
        Issued svid = exampleCa.leaf(DEPLOYER).extendedKeyUsage().issue();
        assertThat(validator.verify(svid.chain())).hasToString(DEPLOYER);
    }

    @Test
    void refusesACertificateWithoutUriSan() {
        Issued cert = exampleCa.leaf().dns("deployer.example.org").issue();
        assertRefused(cert.chain(), "certificate has no URI SAN; an X.509-SVID has exactly one");
    }

    @Test
    void refusesACertificateWithTwoUriSans() {
        Issued cert = exampleCa.leaf(DEPLOYER, "spiffe://example.org/admin").issue();
        assertRefused(cert.chain(), "certificate has 2 URI SANs; an X.509-SVID has exactly one");
    }

    @Test
    void refusesAUriSanThatIsNotASpiffeId() {
        Issued cert = exampleCa.leaf("https://example.org/ci").issue();
        assertRefused(cert.chain(), "URI SAN is not a valid SPIFFE ID", "must start with 'spiffe://'");
    }

    @Test
    void refusesALeafNamingOnlyTheTrustDomain() {
        Issued cert = exampleCa.leaf("spiffe://example.org").issue();
        assertRefused(cert.chain(), "has no path");
    }

    @Test
    void refusesALeafThatIsACa() {
        Issued cert = exampleCa
                .leaf(DEPLOYER)
                .ca(true)
                .keyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign)
                .issue();
        assertRefused(cert.chain(), "is a CA (basicConstraints cA=true); an X.509-SVID leaf must not be a CA");
    }

    @Test
    void refusesALeafThatMaySignCertificates() {
        Issued cert = exampleCa
                .leaf(DEPLOYER)
                .keyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign)
                .issue();
        assertRefused(cert.chain(), "keyCertSign or cRLSign");
    }

    @Test
    void refusesALeafThatMaySignCrls() {
        Issued cert = exampleCa
                .leaf(DEPLOYER)
                .keyUsage(KeyUsage.digitalSignature | KeyUsage.cRLSign)
                .issue();
        assertRefused(cert.chain(), "keyCertSign or cRLSign");
    }

    @Test
    void refusesALeafWithoutDigitalSignature() {
        Issued cert =
                exampleCa.leaf(DEPLOYER).keyUsage(KeyUsage.keyEncipherment).issue();
        assertRefused(cert.chain(), "lacks key usage digitalSignature");
    }

    @Test
    void refusesALeafWithoutKeyUsage() {
        Issued cert = exampleCa.leaf(DEPLOYER).keyUsage(null).issue();
        assertRefused(cert.chain(), "has no key usage extension");
    }

    @Test
    void refusesALeafWhoseExtendedKeyUsageExcludesClientAuth() {
        Issued cert = exampleCa
                .leaf(DEPLOYER)
                .extendedKeyUsage(KeyPurposeId.id_kp_serverAuth)
                .issue();
        assertRefused(cert.chain(), "without clientAuth");
    }

    @Test
    void refusesAnSvidOfATrustDomainSignedByAnotherTrustDomainsCa() {
        // other.org is trusted, but its SVIDs must chain to other.org's bundle: example.org's CA cannot mint them.
        Issued cert = exampleCa.leaf("spiffe://other.org/ci/deployer").issue();
        assertRefused(cert.chain(), "does not chain to the trust bundle of 'other.org'");
    }

    @Test
    void refusesAnSvidOfAnUnknownTrustDomain() {
        Issued cert = exampleCa.leaf("spiffe://unknown.org/ci/deployer").issue();
        assertRefused(cert.chain(), "trust domain 'unknown.org', which has no trust bundle here");
    }

    @Test
    void refusesAnExpiredSvid() {
        Instant now = Instant.now();
        Issued cert = exampleCa
                .leaf(DEPLOYER)
                .validity(now.minus(Duration.ofDays(2)), now.minus(Duration.ofDays(1)))
                .issue();
        assertRefused(cert.chain(), "expired at");
    }

    @Test
    void refusesAnSvidNotYetValid() {
        Instant now = Instant.now();
        Issued cert = exampleCa
                .leaf(DEPLOYER)
                .validity(now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(2)))
                .issue();
        assertRefused(cert.chain(), "is not valid before");
    }

    @Test
    void refusesAnSvidSignedByAnotherCa() {
        Issued cert = rogueCa.leaf(DEPLOYER).issue();
        assertRefused(cert.chain(), "does not chain to the trust bundle of 'example.org'");
        // Sending the rogue root along does not help: trust comes from the bundle, not from the peer.
        assertRefused(new X509Certificate[] {cert.leaf(), rogueCa.certificate}, "does not chain");
    }

    @Test
    void refusesAnEmptyChain() {
        assertRefused(new X509Certificate[0], "no client certificate was presented");
        assertRefused(null, "no client certificate was presented");
    }

    @Test
    void refusesEverythingWithoutBundles() {
        X509SvidValidator none = new X509SvidValidator(TrustBundles.none());
        Issued svid = exampleCa.leaf(DEPLOYER).issue();
        assertThatThrownBy(() -> none.verify(svid.chain()))
                .isInstanceOf(SvidRejectedException.class)
                .hasMessageContaining("has no trust bundle here (trusted: [])");
    }

    private static void assertRefused(X509Certificate[] chain, String... messageParts) {
        assertThatThrownBy(() -> validator.verify(chain))
                .isInstanceOf(SvidRejectedException.class)
                .isInstanceOf(CertificateException.class)
                .hasMessageContainingAll(messageParts);
    }
}

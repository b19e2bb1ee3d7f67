package io.mycelium.api.identity;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates for the identity tests, made with BouncyCastle: a CA per trust domain (optionally with
 * intermediates) and leaves with chosen SANs, CA flag, key usages and validity.
 */
public final class TestPki {
    private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime());

    private TestPki() {}

    /** A certificate chain (leaf first, without the root) and the leaf's private key. */
    public record Issued(X509Certificate[] chain, PrivateKey key) {
        public X509Certificate leaf() {
            return chain[0];
        }
    }

    /** A CA: a self-signed root, or an intermediate below another CA. */
    public static final class Authority {
        final KeyPair keys;
        public final X509Certificate certificate;
        private final Authority parent;

        private Authority(KeyPair keys, X509Certificate certificate, Authority parent) {
            this.keys = keys;
            this.certificate = certificate;
            this.parent = parent;
        }

        /** An intermediate CA signed by this one. */
        public Authority intermediate(String name) {
            KeyPair keys = ecKeyPair();
            X509Certificate cert = sign(
                    this,
                    new X500Name("CN=" + name),
                    keys,
                    List.of(),
                    true,
                    KeyUsage.keyCertSign | KeyUsage.cRLSign,
                    List.of(),
                    Instant.now().minus(Duration.ofDays(1)),
                    Instant.now().plus(Duration.ofDays(30)));
            return new Authority(keys, cert, this);
        }

        /** A leaf that is a valid X.509-SVID until changed. */
        public LeafSpec leaf(String... uris) {
            return new LeafSpec(this, List.of(uris));
        }

        /** The certificates a peer sends after its leaf: this CA and its parents, root excluded. */
        public List<X509Certificate> chainBelowRoot() {
            List<X509Certificate> chain = new ArrayList<>();
            for (Authority a = this; a.parent != null; a = a.parent) {
                chain.add(a.certificate);
            }
            return chain;
        }
    }

    /** What a leaf certificate will contain; {@link #issue()} makes it. */
    public static final class LeafSpec {
        private final Authority issuer;
        private List<String> uris;
        private final List<GeneralName> otherNames = new ArrayList<>();
        private boolean ca;
        private Integer keyUsage = KeyUsage.digitalSignature;
        private List<KeyPurposeId> extendedKeyUsage =
                List.of(KeyPurposeId.id_kp_clientAuth, KeyPurposeId.id_kp_serverAuth);
        private Instant notBefore = Instant.now().minus(Duration.ofHours(1));
        private Instant notAfter = Instant.now().plus(Duration.ofHours(1));
        private boolean rsa;

        private LeafSpec(Authority issuer, List<String> uris) {
            this.issuer = issuer;
            this.uris = uris;
        }

        public LeafSpec dns(String name) {
            otherNames.add(new GeneralName(GeneralName.dNSName, name));
            return this;
        }

        public LeafSpec ip(String address) {
            otherNames.add(new GeneralName(GeneralName.iPAddress, address));
            return this;
        }

        public LeafSpec ca(boolean ca) {
            this.ca = ca;
            return this;
        }

        /** BouncyCastle {@link KeyUsage} bits, or null for no key usage extension. */
        public LeafSpec keyUsage(Integer bits) {
            this.keyUsage = bits;
            return this;
        }

        public LeafSpec extendedKeyUsage(KeyPurposeId... purposes) {
            this.extendedKeyUsage = List.of(purposes);
            return this;
        }

        public LeafSpec validity(Instant notBefore, Instant notAfter) {
            this.notBefore = notBefore;
            this.notAfter = notAfter;
            return this;
        }

        public LeafSpec rsa() {
            this.rsa = true;
            return this;
        }

        public Issued issue() {
            KeyPair keys = rsa ? rsaKeyPair() : ecKeyPair();
            List<GeneralName> names = new ArrayList<>();
            uris.forEach(u -> names.add(new GeneralName(GeneralName.uniformResourceIdentifier, u)));
            names.addAll(otherNames);
            X509Certificate cert = sign(
                    issuer,
                    new X500Name("CN=leaf " + SERIAL.incrementAndGet()),
                    keys,
                    names,
                    ca,
                    keyUsage,
                    extendedKeyUsage,
                    notBefore,
                    notAfter);
            List<X509Certificate> chain = new ArrayList<>();
            chain.add(cert);
            chain.addAll(issuer.chainBelowRoot());
            return new Issued(chain.toArray(X509Certificate[]::new), keys.getPrivate());
        }
    }

    /** A self-signed root CA whose certificate names the trust domain (as a SPIFFE signing certificate may). */
    public static Authority rootCa(String trustDomain) {
        KeyPair keys = ecKeyPair();
        X500Name name = new X500Name("CN=" + trustDomain + " root");
        X509Certificate cert = sign(
                null,
                name,
                keys,
                List.of(new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://" + trustDomain)),
                true,
                KeyUsage.keyCertSign | KeyUsage.cRLSign,
                List.of(),
                Instant.now().minus(Duration.ofDays(1)),
                Instant.now().plus(Duration.ofDays(30)));
        return new Authority(keys, cert, null);
    }

    /** A TLS server certificate for 127.0.0.1 and localhost. */
    public static Issued serverCertificate(Authority ca, boolean rsa) {
        LeafSpec spec = ca.leaf().dns("localhost").ip("127.0.0.1").extendedKeyUsage(KeyPurposeId.id_kp_serverAuth);
        if (rsa) {
            spec.rsa().keyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment);
        }
        return spec.issue();
    }

    public static String pem(X509Certificate... certificates) {
        StringBuilder out = new StringBuilder();
        for (X509Certificate c : certificates) {
            try {
                out.append(block("CERTIFICATE", c.getEncoded()));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
        return out.toString();
    }

    /** A PKCS#8 "PRIVATE KEY" block: the JDK encodes private keys as PKCS#8. */
    public static String pem(PrivateKey key) {
        return block("PRIVATE KEY", key.getEncoded());
    }

    public static String block(String type, byte[] der) {
        String base64 = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + base64 + "\n-----END " + type + "-----\n";
    }

    public static KeyPair ecKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static KeyPair rsaKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate sign(
            Authority issuer,
            X500Name subject,
            KeyPair subjectKeys,
            List<GeneralName> sans,
            boolean ca,
            Integer keyUsage,
            List<KeyPurposeId> extendedKeyUsage,
            Instant notBefore,
            Instant notAfter) {
        try {
            X500Name issuerName = issuer == null
                    ? subject
                    : X500Name.getInstance(
                            issuer.certificate.getSubjectX500Principal().getEncoded());
            PrivateKey signingKey = issuer == null ? subjectKeys.getPrivate() : issuer.keys.getPrivate();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    issuerName,
                    BigInteger.valueOf(SERIAL.incrementAndGet()),
                    Date.from(notBefore),
                    Date.from(notAfter),
                    subject,
                    subjectKeys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            if (keyUsage != null) {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
            }
            if (!extendedKeyUsage.isEmpty()) {
                builder.addExtension(
                        Extension.extendedKeyUsage,
                        false,
                        new ExtendedKeyUsage(extendedKeyUsage.toArray(KeyPurposeId[]::new)));
            }
            if (!sans.isEmpty()) {
                builder.addExtension(
                        Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)));
            }
            String algorithm = signingKey.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
            return new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder(algorithm).build(signingKey)));
        } catch (Exception e) {
            throw new IllegalStateException("cannot make a test certificate: " + e.getMessage(), e);
        }
    }
}

package io.mycelium.api.identity;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the PEM files an operator configures: certificates ({@code CERTIFICATE} blocks) and unencrypted PKCS#8
 * private keys ({@code PRIVATE KEY}), RSA, EC, Ed25519 or Ed448.
 *
 * <p>Other key formats are refused with the {@code openssl} command that converts them, rather than half-supported.
 */
public final class Pem {
    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)\\s*-----END \\1-----");

    /** Tried in turn because a PKCS#8 blob names its algorithm only by OID, and KeyFactory refuses a foreign one. */
    private static final List<String> KEY_ALGORITHMS = List.of("EC", "RSA", "Ed25519", "Ed448", "RSASSA-PSS");

    private Pem() {}

    /**
     * The certificates of a PEM file, in file order (for a chain: leaf first).
     *
     * @throws IOException if the file cannot be read, has no certificate or a certificate does not parse
     */
    public static List<X509Certificate> readCertificates(Path file) throws IOException {
        List<X509Certificate> certificates = parseCertificates(Files.readString(file, StandardCharsets.US_ASCII));
        if (certificates.isEmpty()) {
            throw new IOException(file + " has no '-----BEGIN CERTIFICATE-----' block");
        }
        return certificates;
    }

    /** The certificates in PEM text; empty if there is none. */
    public static List<X509Certificate> parseCertificates(String pem) throws IOException {
        CertificateFactory factory;
        try {
            factory = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("this JDK has no X.509 certificate factory", e);
        }
        List<X509Certificate> certificates = new ArrayList<>();
        Matcher m = BLOCK.matcher(pem);
        while (m.find()) {
            if (!m.group(1).equals("CERTIFICATE")) {
                continue;
            }
            byte[] der = decode(m.group(2), "certificate #" + (certificates.size() + 1));
            try {
                certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            } catch (CertificateException e) {
                throw new IOException(
                        "certificate #" + (certificates.size() + 1) + " does not parse: " + e.getMessage(), e);
            }
        }
        return certificates;
    }

    /**
     * The private key of a PEM file holding one unencrypted PKCS#8 {@code PRIVATE KEY} block.
     *
     * @throws IOException if the file cannot be read or holds no usable key; the message says how to convert it
     */
    public static PrivateKey readPrivateKey(Path file) throws IOException {
        try {
            return parsePrivateKey(Files.readString(file, StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** The private key in PEM text (one unencrypted PKCS#8 {@code PRIVATE KEY} block). */
    public static PrivateKey parsePrivateKey(String pem) throws IOException {
        Matcher m = BLOCK.matcher(pem);
        while (m.find()) {
            String type = m.group(1);
            switch (type) {
                case "PRIVATE KEY" -> {
                    return pkcs8(decode(m.group(2), "private key"));
                }
                case "ENCRYPTED PRIVATE KEY" ->
                    throw new IOException(
                            "the private key is encrypted; decrypt it with"
                                    + " 'openssl pkcs8 -in key.pem -out key-plain.pem' and protect the file by its permissions");
                case "RSA PRIVATE KEY", "EC PRIVATE KEY" ->
                    throw new IOException("the private key is in the legacy '" + type + "' format; convert it to PKCS#8"
                            + " with 'openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem'");
                default -> {
                    // Not a key (e.g. a certificate in the same file): keep looking.
                }
            }
        }
        throw new IOException("no '-----BEGIN PRIVATE KEY-----' block (an unencrypted PKCS#8 key) was found");
    }

    private static PrivateKey pkcs8(byte[] der) throws IOException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException notThisAlgorithm) {
                // The next algorithm may be the one.
            }
        }
        throw new IOException("the PKCS#8 private key is not an " + String.join(", ", KEY_ALGORITHMS) + " key");
    }

    private static byte[] decode(String base64, String what) throws IOException {
        try {
            return Base64.getMimeDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IOException(what + " is not valid base64: " + e.getMessage(), e);
        }
    }
}

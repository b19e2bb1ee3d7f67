package io.mycelium.mesh.spore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Ed25519 signing keys with the JDK's EdDSA. A key directory holds {@code spore.key} (PKCS#8, PEM, mode 0600) and
 * {@code spore.pub}: the raw 32-byte public key in base64, the form manifests and trust lists use.
 */
public final class SporeKeys {
    /** The private key's file name in a key directory. */
    public static final String PRIVATE_FILE = "spore.key";
    /** The public key's file name in a key directory. */
    public static final String PUBLIC_FILE = "spore.pub";

    // DER of an X.509 SubjectPublicKeyInfo for Ed25519, up to the 32 raw key bytes.
    private static final byte[] X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    private SporeKeys() {}

    /** Writes a new key pair into {@code dir} (created if missing) and returns the public key in base64. */
    public static String generate(Path dir) {
        try {
            KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            Files.createDirectories(dir);
            Path privateFile = dir.resolve(PRIVATE_FILE);
            if (Files.exists(privateFile)) {
                throw new SporeException.KeyUnusable(
                        privateFile + " already exists; keygen never overwrites a key", null);
            }
            String pem = "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, new byte[] {'\n'})
                            .encodeToString(pair.getPrivate().getEncoded())
                    + "\n-----END PRIVATE KEY-----\n";
            Files.createFile(
                    privateFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(privateFile, pem);
            String publicKey = encode(pair.getPublic());
            Files.writeString(dir.resolve(PUBLIC_FILE), publicKey + "\n");
            return publicKey;
        } catch (IOException | GeneralSecurityException e) {
            throw new SporeException.KeyUnusable("cannot write a key pair to " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The private key in {@code dir}. */
    public static PrivateKey loadPrivate(Path dir) {
        Path file = dir.resolve(PRIVATE_FILE);
        try {
            String pem = Files.readString(file, StandardCharsets.US_ASCII)
                    .replace("-----BEGIN PRIVATE KEY-----", "")
                    .replace("-----END PRIVATE KEY-----", "")
                    .replaceAll("\\s", "");
            return KeyFactory.getInstance("Ed25519")
                    .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new SporeException.KeyUnusable(
                    "cannot read an Ed25519 private key from " + file + ": " + e.getMessage(), e);
        }
    }

    /** The public key in {@code dir}, base64. */
    public static String loadPublic(Path dir) {
        Path file = Files.isDirectory(dir) ? dir.resolve(PUBLIC_FILE) : dir;
        try {
            String key = Files.readString(file, StandardCharsets.US_ASCII).strip();
            decode(key);
            return key;
        } catch (IOException e) {
            throw new SporeException.KeyUnusable("cannot read a public key from " + file + ": " + e.getMessage(), e);
        }
    }

    /** The raw public key in base64. */
    public static String encode(PublicKey key) {
        byte[] der = key.getEncoded();
        return Base64.getEncoder().encodeToString(Arrays.copyOfRange(der, der.length - 32, der.length));
    }

    /** The public key for its raw base64 form. */
    static PublicKey decode(String base64) {
        try {
            byte[] raw = Base64.getDecoder().decode(base64);
            if (raw.length != 32) {
                throw new IllegalArgumentException("an Ed25519 public key has 32 bytes, not " + raw.length);
            }
            byte[] der = Arrays.copyOf(X509_PREFIX, X509_PREFIX.length + 32);
            System.arraycopy(raw, 0, der, X509_PREFIX.length, 32);
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new SporeException.KeyUnusable(
                    "not an Ed25519 public key: " + base64 + " (" + e.getMessage() + ")", e);
        }
    }
}

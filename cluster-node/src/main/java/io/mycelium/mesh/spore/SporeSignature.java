package io.mycelium.mesh.spore;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;

/** Ed25519 over sha256(canonical manifest without its signature || binary_sha256 as lowercase hex). */
final class SporeSignature {
    private SporeSignature() {}

    static String sign(SporeManifest manifest, PrivateKey key) {
        try {
            Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(key);
            signer.update(signedDigest(manifest));
            return Base64.getEncoder().encodeToString(signer.sign());
        } catch (GeneralSecurityException e) {
            throw new SporeException.KeyUnusable("cannot sign with the key: " + e.getMessage(), e);
        }
    }

    /** Throws {@link SporeException.BadSignature} unless the manifest's signature verifies with its public key. */
    static void verify(SporeManifest manifest) {
        SporeManifest.Integrity integrity = manifest.integrity();
        if (integrity.signature() == null || integrity.publicKey() == null) {
            throw new SporeException.BadSignature("the manifest has no signature or no public key");
        }
        boolean valid;
        try {
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(SporeKeys.decode(integrity.publicKey()));
            verifier.update(signedDigest(manifest));
            valid = verifier.verify(Base64.getDecoder().decode(integrity.signature()));
        } catch (SporeException.KeyUnusable e) {
            throw new SporeException.BadSignature("the manifest's public key is unusable: " + e.getMessage());
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new SporeException.BadSignature("the signature is malformed: " + e.getMessage());
        }
        if (!valid) {
            throw new SporeException.BadSignature(
                    "the manifest or the binary was changed after signing, or another" + " key signed it");
        }
    }

    private static byte[] signedDigest(SporeManifest manifest) {
        MessageDigest sha256 = Sha256.newDigest();
        sha256.update(SporeJson.canonical(manifest));
        sha256.update(manifest.integrity().binarySha256().getBytes(StandardCharsets.US_ASCII));
        return sha256.digest();
    }
}

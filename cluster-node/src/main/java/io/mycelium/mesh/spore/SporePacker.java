package io.mycelium.mesh.spore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Packs a binary and a manifest into a signed {@code .spore}. */
public final class SporePacker {
    private SporePacker() {}

    /**
     * Writes {@code out}: manifest.json (the given manifest with {@code integrity} filled and signed with the key in
     * {@code keyDir}) and binary.
     *
     * @return the packed spore, verified
     */
    public static Spore pack(Path binary, Path manifestFile, Path keyDir, Path out, SporeLimits limits, Clock clock)
            throws IOException {
        if (!Files.isRegularFile(binary)) {
            throw new SporeException.MissingEntry("the binary " + binary + " is not a file");
        }
        if (Files.size(binary) > limits.maxBinaryBytes()) {
            throw new SporeException.EntryTooLarge(binary.toString(), limits.maxBinaryBytes());
        }
        if (!Files.isRegularFile(manifestFile)) {
            throw new SporeException.MissingEntry("the manifest " + manifestFile + " is not a file");
        }
        if (Files.size(manifestFile) > limits.maxManifestBytes()) {
            throw new SporeException.EntryTooLarge(manifestFile.toString(), limits.maxManifestBytes());
        }
        SporeManifest manifest = SporeJson.read(Files.readAllBytes(manifestFile));
        manifest.validate();
        PrivateKey privateKey = SporeKeys.loadPrivate(keyDir);
        String publicKey = SporeKeys.loadPublic(keyDir);
        String createdAt = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
        SporeManifest unsigned =
                manifest.withIntegrity(new SporeManifest.Integrity(Sha256.ofFile(binary), null, publicKey, createdAt));
        SporeManifest signed = unsigned.withIntegrity(new SporeManifest.Integrity(
                unsigned.integrity().binarySha256(), SporeSignature.sign(unsigned, privateKey), publicKey, createdAt));
        try {
            SporeSignature.verify(signed);
        } catch (SporeException.BadSignature e) {
            throw new SporeException.KeyUnusable(
                    keyDir.resolve(SporeKeys.PUBLIC_FILE) + " is not the public key of "
                            + keyDir.resolve(SporeKeys.PRIVATE_FILE),
                    e);
        }
        Path parent = out.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path partial = Files.createTempFile(parent, ".spore-", ".partial");
        try {
            try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(partial))) {
                zip.putNextEntry(new ZipEntry(Spore.MANIFEST));
                zip.write(SporeJson.write(signed));
                zip.closeEntry();
                zip.putNextEntry(new ZipEntry(Spore.BINARY));
                try (InputStream in = Files.newInputStream(binary)) {
                    in.transferTo(zip);
                }
                zip.closeEntry();
            }
            Files.move(partial, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(partial);
        }
        return new Spore(signed, Sha256.ofFile(out));
    }
}

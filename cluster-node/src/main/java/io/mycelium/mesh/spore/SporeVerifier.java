package io.mycelium.mesh.spore;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Verifies a {@code .spore} and extracts it. The checks, in order: the zip's entry names (no path escapes, only
 * manifest.json and binary, each once), the size limits (declared and actual, so a lying header cannot inflate past
 * them), the manifest, the binary's sha256, the signature, and the trust list.
 */
public final class SporeVerifier {
    private final SporeLimits limits;

    /** A verifier with these limits and trust list. */
    public SporeVerifier(SporeLimits limits) {
        this.limits = limits;
    }

    /** Verifies {@code file} without extracting it. */
    public Spore verify(Path file) throws IOException {
        return read(file, OutputStream.nullOutputStream());
    }

    /**
     * Verifies {@code file} and extracts it into {@code dir}: {@code manifest.json} and {@code binary} (mode 0755).
     * Nothing is left in {@code dir} when the spore is refused.
     */
    public Spore extract(Path file, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path partial = Files.createTempFile(dir, ".binary-", ".partial");
        try {
            Spore spore;
            try (OutputStream out = Files.newOutputStream(partial)) {
                spore = read(file, out);
            }
            Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.move(partial, dir.resolve(Spore.BINARY), StandardCopyOption.REPLACE_EXISTING);
            Files.write(dir.resolve(Spore.MANIFEST), SporeJson.write(spore.manifest()));
            return spore;
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    private Spore read(Path file, OutputStream binaryOut) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new SporeException.MissingEntry("the spore " + file + " is not a file");
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            Map<String, ZipEntry> entries = entries(zip);
            ZipEntry manifestEntry = entries.get(Spore.MANIFEST);
            ZipEntry binaryEntry = entries.get(Spore.BINARY);
            if (manifestEntry == null) {
                throw new SporeException.MissingEntry("the spore has no " + Spore.MANIFEST);
            }
            if (binaryEntry == null) {
                throw new SporeException.MissingEntry("the spore has no " + Spore.BINARY);
            }
            ByteArrayOutputStream manifestBytes = new ByteArrayOutputStream();
            copy(zip, manifestEntry, limits.maxManifestBytes(), manifestBytes, null);
            SporeManifest manifest = SporeJson.read(manifestBytes.toByteArray());
            manifest.validate();
            SporeManifest.Integrity integrity = manifest.integrity();
            if (integrity == null || integrity.binarySha256() == null) {
                throw new SporeException.Malformed(
                        "manifest.json has no integrity.binary_sha256: was it packed?", null);
            }
            MessageDigest sha256 = Sha256.newDigest();
            copy(zip, binaryEntry, limits.maxBinaryBytes(), binaryOut, sha256);
            String actual = Sha256.hex(sha256);
            if (!actual.equals(integrity.binarySha256())) {
                throw new SporeException.HashMismatch(integrity.binarySha256(), actual);
            }
            SporeSignature.verify(manifest);
            if (!limits.trustedKeys().isEmpty() && !limits.trustedKeys().contains(integrity.publicKey())) {
                throw new SporeException.UntrustedKey(integrity.publicKey());
            }
            return new Spore(manifest, Sha256.ofFile(file));
        } catch (ZipException e) {
            throw new SporeException.Malformed("the spore " + file + " is not a valid zip: " + e.getMessage(), e);
        }
    }

    private Map<String, ZipEntry> entries(ZipFile zip) {
        Map<String, ZipEntry> entries = new HashMap<>();
        for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
            ZipEntry entry = e.nextElement();
            String name = entry.getName();
            if (escapes(name)) {
                throw new SporeException.UnsafeEntry(name);
            }
            if (!name.equals(Spore.MANIFEST) && !name.equals(Spore.BINARY)) {
                throw new SporeException.UnexpectedEntry(name, "a spore holds only manifest.json and binary");
            }
            if (entries.putIfAbsent(name, entry) != null) {
                throw new SporeException.UnexpectedEntry(name, "it appears twice");
            }
            long limit = name.equals(Spore.MANIFEST) ? limits.maxManifestBytes() : limits.maxBinaryBytes();
            if (entry.getSize() > limit) {
                throw new SporeException.EntryTooLarge(name, limit);
            }
        }
        return entries;
    }

    /** Absolute, drive-lettered, backslashed, or with a {@code ..} segment: would land outside the directory. */
    static boolean escapes(String name) {
        if (name.isEmpty() || name.startsWith("/") || name.contains("\\") || name.matches("^[A-Za-z]:.*")) {
            return true;
        }
        for (String segment : name.split("/")) {
            if (segment.equals("..")) {
                return true;
            }
        }
        return false;
    }

    private static void copy(ZipFile zip, ZipEntry entry, long limit, OutputStream out, MessageDigest digest)
            throws IOException {
        long total = 0;
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = zip.getInputStream(entry)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                total += n;
                if (total > limit) {
                    throw new SporeException.EntryTooLarge(entry.getName(), limit);
                }
                if (digest != null) {
                    digest.update(buffer, 0, n);
                }
                out.write(buffer, 0, n);
            }
        }
    }
}

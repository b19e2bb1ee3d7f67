package io.mycelium.mesh.spore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pack, verify and extract, and every refusal, with hostile zips crafted byte by byte. */
class SporeVerifierTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-22T02:00:00Z"), ZoneOffset.UTC);
    private static final String MANIFEST = """
            {
              "identity": {"kind": "Spore", "name": "billing", "version": "1.0.0"},
              "runtime": {"command": "./binary", "args": ["--port", "$PORT"], "env": {"B": "2", "A": "1"}},
              "resources": {"nutrients": {"cpu_milli": 250, "memory_mb": 64}},
              "slo": {"p99_budget_ms": 50},
              "security": {"lsm_profile": "default", "read_only_fs": true}
            }
            """;

    @TempDir
    Path dir;

    Path keys;
    Path packed;
    SporeVerifier verifier = new SporeVerifier(SporeLimits.DEFAULT);

    @BeforeEach
    void pack() throws IOException {
        keys = dir.resolve("keys");
        SporeKeys.generate(keys);
        Path binary = dir.resolve("server.sh");
        Files.writeString(binary, "#!/bin/sh\necho hello\n");
        Path manifest = dir.resolve("manifest.json");
        Files.writeString(manifest, MANIFEST);
        packed = dir.resolve("billing.spore");
        SporePacker.pack(binary, manifest, keys, packed, SporeLimits.DEFAULT, CLOCK);
    }

    @Test
    void packedSporeVerifiesAndExtractsAnExecutableBinary() throws IOException {
        Spore spore = verifier.verify(packed);
        assertThat(spore.digest()).isEqualTo(Sha256.ofFile(packed));
        assertThat(spore.manifest().integrity().publicKey()).isEqualTo(SporeKeys.loadPublic(keys));
        assertThat(spore.manifest().integrity().createdAt()).isEqualTo("2026-11-22T02:00:00Z");
        assertThat(spore.manifest().runtime().env()).containsExactly(Map.entry("A", "1"), Map.entry("B", "2"));

        Path out = dir.resolve("run");
        new SporeVerifier(SporeLimits.DEFAULT.trusting(Set.of(SporeKeys.loadPublic(keys)))).extract(packed, out);
        assertThat(Files.readString(out.resolve("binary"))).isEqualTo("#!/bin/sh\necho hello\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("binary"))))
                .isEqualTo("rwxr-xr-x");
        assertThat(SporeJson.read(Files.readAllBytes(out.resolve("manifest.json"))))
                .isEqualTo(spore.manifest());
        try (var files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("binary", "manifest.json");
        }
    }

    @Test
    void zipSlipNamesAreRefused() throws IOException {
        for (String name : new String[] {"../binary", "/etc/passwd", "a/../../binary", "..\\binary", "C:x"}) {
            Path hostile = zip(Map.of(name, bytes("x"), "manifest.json", manifestBytes(), "binary", binaryBytes()));
            assertThatThrownBy(() -> verifier.extract(hostile, dir.resolve("out")))
                    .as(name)
                    .isInstanceOf(SporeException.UnsafeEntry.class)
                    .hasMessageContaining(name);
        }
        assertThat(dir.resolve("out/binary")).doesNotExist();
    }

    @Test
    void extraAndDuplicateEntriesAreRefused() throws IOException {
        Path extra = zip(Map.of("manifest.json", manifestBytes(), "binary", binaryBytes(), "lib.so", bytes("x")));
        assertThatThrownBy(() -> verifier.verify(extra)).isInstanceOf(SporeException.UnexpectedEntry.class);

        Path twice = dir.resolve("twice.spore");
        try (OutputStream raw = Files.newOutputStream(twice)) {
            raw.write(localThenCentral(
                    new String[] {"manifest.json", "binary", "binary"},
                    new byte[][] {manifestBytes(), binaryBytes(), bytes("evil")}));
        }
        assertThatThrownBy(() -> verifier.verify(twice))
                .isInstanceOf(SporeException.UnexpectedEntry.class)
                .hasMessageContaining("twice");
    }

    @Test
    void entriesOverTheLimitAreRefusedEvenWhenTheHeaderLies() throws IOException {
        SporeLimits small = new SporeLimits(1 << 20, 8, Set.of());
        assertThatThrownBy(() -> new SporeVerifier(small).verify(packed))
                .isInstanceOf(SporeException.EntryTooLarge.class)
                .hasMessageContaining("binary");

        // A stored entry whose central directory claims 4 bytes but whose data inflates to more.
        Path liar = dir.resolve("liar.spore");
        Files.write(liar, deflatedWithLyingSize("binary", new byte[64 * 1024], 4, manifestBytes()));
        assertThatThrownBy(() -> new SporeVerifier(new SporeLimits(1 << 20, 1024, Set.of())).verify(liar))
                .isInstanceOf(SporeException.EntryTooLarge.class);

        SporeLimits tinyManifest = new SporeLimits(10, 1 << 20, Set.of());
        assertThatThrownBy(() -> new SporeVerifier(tinyManifest).verify(packed))
                .isInstanceOf(SporeException.EntryTooLarge.class)
                .hasMessageContaining("manifest.json");
        assertThatThrownBy(() -> SporePacker.pack(
                        dir.resolve("server.sh"),
                        dir.resolve("manifest.json"),
                        keys,
                        dir.resolve("x.spore"),
                        small,
                        CLOCK))
                .isInstanceOf(SporeException.EntryTooLarge.class);
    }

    @Test
    void missingFilesAreRefused() throws IOException {
        assertThatThrownBy(() -> verifier.verify(zip(Map.of("binary", binaryBytes()))))
                .isInstanceOf(SporeException.MissingEntry.class)
                .hasMessageContaining("manifest.json");
        assertThatThrownBy(() -> verifier.verify(zip(Map.of("manifest.json", manifestBytes()))))
                .isInstanceOf(SporeException.MissingEntry.class)
                .hasMessageContaining("binary");
        assertThatThrownBy(() -> verifier.verify(dir.resolve("absent.spore")))
                .isInstanceOf(SporeException.MissingEntry.class);
        assertThatThrownBy(() -> SporePacker.pack(
                        dir.resolve("absent"),
                        dir.resolve("manifest.json"),
                        keys,
                        dir.resolve("x.spore"),
                        SporeLimits.DEFAULT,
                        CLOCK))
                .isInstanceOf(SporeException.MissingEntry.class);
    }

    @Test
    void aChangedBinaryIsAHashMismatch() throws IOException {
        Path changed = zip(Map.of("manifest.json", manifestBytes(), "binary", bytes("#!/bin/sh\necho pwned\n")));
        assertThatThrownBy(() -> verifier.extract(changed, dir.resolve("out")))
                .isInstanceOf(SporeException.HashMismatch.class);
        try (var files = Files.list(dir.resolve("out"))) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void aChangedManifestOrAForeignSignatureIsABadSignature() throws IOException {
        String tampered = new String(manifestBytes(), StandardCharsets.UTF_8).replace("1.0.0", "1.0.1");
        Path changed = zip(Map.of("manifest.json", bytes(tampered), "binary", binaryBytes()));
        assertThatThrownBy(() -> verifier.verify(changed)).isInstanceOf(SporeException.BadSignature.class);

        // Re-signed by another key but still naming the first key as the signer.
        Path other = dir.resolve("other");
        SporeKeys.generate(other);
        SporeManifest original = SporeJson.read(manifestBytes());
        SporeManifest forged = original.withIntegrity(new SporeManifest.Integrity(
                original.integrity().binarySha256(),
                SporeSignature.sign(original, SporeKeys.loadPrivate(other)),
                original.integrity().publicKey(),
                original.integrity().createdAt()));
        Path forgedSpore = zip(Map.of("manifest.json", SporeJson.write(forged), "binary", binaryBytes()));
        assertThatThrownBy(() -> verifier.verify(forgedSpore)).isInstanceOf(SporeException.BadSignature.class);

        SporeManifest unsigned = original.withIntegrity(new SporeManifest.Integrity(
                original.integrity().binarySha256(), null, original.integrity().publicKey(), null));
        Path unsignedSpore = zip(Map.of("manifest.json", SporeJson.write(unsigned), "binary", binaryBytes()));
        assertThatThrownBy(() -> verifier.verify(unsignedSpore)).isInstanceOf(SporeException.BadSignature.class);
    }

    @Test
    void aKeyOutsideTheTrustListIsRefused() {
        Path other = dir.resolve("other");
        String otherKey = SporeKeys.generate(other);
        assertThatThrownBy(() -> new SporeVerifier(SporeLimits.DEFAULT.trusting(Set.of(otherKey))).verify(packed))
                .isInstanceOf(SporeException.UntrustedKey.class)
                .hasMessageContaining(SporeKeys.loadPublic(keys));
    }

    @Test
    void notAZipAndNotAManifestAreMalformed() throws IOException {
        Path text = dir.resolve("text.spore");
        Files.writeString(text, "not a zip");
        assertThatThrownBy(() -> verifier.verify(text)).isInstanceOf(SporeException.Malformed.class);
        Path unknownField =
                zip(Map.of("manifest.json", bytes("{\"identity\":{},\"extra\":1}"), "binary", binaryBytes()));
        assertThatThrownBy(() -> verifier.verify(unknownField))
                .isInstanceOf(SporeException.Malformed.class)
                .hasMessageContaining("extra");
    }

    @Test
    void keygenNeverOverwritesAKey() {
        assertThatThrownBy(() -> SporeKeys.generate(keys)).isInstanceOf(SporeException.KeyUnusable.class);
    }

    private byte[] manifestBytes() throws IOException {
        try (ZipFile zip = new ZipFile(packed.toFile())) {
            return zip.getInputStream(zip.getEntry("manifest.json")).readAllBytes();
        }
    }

    private byte[] binaryBytes() throws IOException {
        try (ZipFile zip = new ZipFile(packed.toFile())) {
            return zip.getInputStream(zip.getEntry("binary")).readAllBytes();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private Path zip(Map<String, byte[]> entries) throws IOException {
        Path file = Files.createTempFile(dir, "crafted", ".spore");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            for (Map.Entry<String, byte[]> e : new LinkedHashMap<>(entries).entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return file;
    }

    /** Stored (uncompressed) entries written by hand, so that names can repeat. */
    private static byte[] localThenCentral(String[] names, byte[][] data) {
        return HandZip.stored(names, data, null);
    }

    /** manifest.json stored as is, then {@code name} deflated but declaring {@code claimed} bytes. */
    private static byte[] deflatedWithLyingSize(String name, byte[] data, int claimed, byte[] manifest) {
        return HandZip.withLyingSize(name, data, claimed, manifest);
    }
}

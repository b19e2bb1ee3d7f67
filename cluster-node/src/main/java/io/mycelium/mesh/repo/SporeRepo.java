package io.mycelium.mesh.repo;

import io.mycelium.mesh.spore.Sha256;
import io.mycelium.mesh.spore.Spore;
import io.mycelium.mesh.spore.SporeVerifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The content-addressed store of spores on one node: {@code <dir>/<sha256 of the file>.spore}. Only verified spores
 * enter it; a file is written under a temporary name and moved into place, so a reader never sees half a spore.
 * Blocking file I/O: call it off actor threads. Thread-safe.
 */
public final class SporeRepo {
    private final Path dir;
    private final SporeVerifier verifier;

    /** A repo in {@code dir} (created if missing) that admits what {@code verifier} accepts. */
    public SporeRepo(Path dir, SporeVerifier verifier) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.verifier = verifier;
    }

    /** Verifies a copy of {@code file} and stores it; returns the spore with its digest. */
    public Spore put(Path file) throws IOException {
        Path incoming = incoming();
        try {
            Files.copy(file, incoming, StandardCopyOption.REPLACE_EXISTING);
            return admit(incoming, null, file.toString());
        } finally {
            Files.deleteIfExists(incoming);
        }
    }

    /**
     * Verifies {@code incoming} (a file from {@link #incoming()}) and moves it into the store. With {@code expected}
     * the file must hash to that digest ({@link RepoException.DigestMismatch} otherwise), checked before anything
     * else.
     */
    public Spore admit(Path incoming, String expected, String source) throws IOException {
        if (expected != null) {
            String actual = Sha256.ofFile(incoming);
            if (!actual.equals(expected)) {
                throw new RepoException.DigestMismatch(expected, actual, source);
            }
        }
        Spore spore = verifier.verify(incoming);
        Path target = dir.resolve(spore.digest() + ".spore");
        Files.move(incoming, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return spore;
    }

    /** A new empty file in the repo's directory to receive a spore (then {@link #admit}). */
    public Path incoming() throws IOException {
        return Files.createTempFile(dir, ".incoming-", ".partial");
    }

    /** The stored file of {@code digest}, if this node has it. */
    public Optional<Path> path(String digest) {
        if (!Sha256.isDigest(digest)) {
            return Optional.empty();
        }
        Path file = dir.resolve(digest + ".spore");
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    /** The digests stored here, sorted. */
    public List<String> digests() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".spore"))
                    .map(n -> n.substring(0, n.length() - ".spore".length()))
                    .filter(Sha256::isDigest)
                    .sorted()
                    .toList();
        }
    }

    /** The verifier this repo admits with, for re-checking a stored spore before it runs. */
    public SporeVerifier verifier() {
        return verifier;
    }
}

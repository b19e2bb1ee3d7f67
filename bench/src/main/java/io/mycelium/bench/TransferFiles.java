package io.mycelium.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A temporary directory with one source file of {@code sizeMiB} MiB of random bytes, created once per trial, and the
 * destinations the transfers write, removed before every operation. Everything is deleted at the end of the trial.
 */
@State(Scope.Benchmark)
public class TransferFiles {
    private static final int BLOCK = 1 << 20;

    /** Size of the file moved by one operation, in MiB; bench/run.sh divides by the time to get MiB/s. */
    @Param({"256"})
    public int sizeMiB;

    private Path dir;
    private Path source;

    /** Creates the directory and writes the source file. */
    @Setup(Level.Trial)
    public void create() throws IOException {
        dir = Files.createTempDirectory("mycelium-bench-");
        source = dir.resolve("source.bin");
        byte[] block = new byte[BLOCK];
        SplittableRandom random = new SplittableRandom(256);
        try (OutputStream out = Files.newOutputStream(source)) {
            for (int i = 0; i < sizeMiB; i++) {
                random.nextBytes(block);
                out.write(block);
            }
        }
    }

    /** Removes what the previous operation wrote, so every operation creates its destination anew. */
    @Setup(Level.Invocation)
    public void clean() throws IOException {
        Files.deleteIfExists(putTarget());
        Files.deleteIfExists(getTarget());
        Files.deleteIfExists(anchorTarget());
    }

    /** Deletes the directory and everything in it. */
    @TearDown(Level.Trial)
    public void delete() throws IOException {
        if (dir == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The file to send. */
    public Path source() {
        return source;
    }

    /** Bytes in the source. */
    public long size() {
        return (long) sizeMiB * BLOCK;
    }

    /** Where a put writes on the agent's side (the same host: the agent is local). */
    public Path putTarget() {
        return dir.resolve("put.bin");
    }

    /** Where a get writes on this side. */
    public Path getTarget() {
        return dir.resolve("get.bin");
    }

    /** Where an anchor writes. */
    public Path anchorTarget() {
        return dir.resolve("anchor.bin");
    }
}

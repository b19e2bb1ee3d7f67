package io.mycelium.bench;

import io.mycelium.bootstrap.AgentJvm;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * SHA-256 of one 64 KiB chunk, the hashing every put and get does on both sides, in chunks per second (secondary
 * metric {@code bytes}: bytes/s).
 *
 * <ul>
 *   <li>{@code sha256}: in a JVM with default flags, like the controller.
 *   <li>{@code sha256AgentJit}: in a JVM limited to C1 ({@code -XX:TieredStopAtLevel=1}), as the local agent once ran
 *       (see {@link AgentJvm#FLAGS}); kept to show why the agent keeps C2.
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class Sha256Benchmark {
    private final byte[] chunk = new byte[64 * 1024];
    private MessageDigest digest;

    /** Random chunk, one digest object reused as TreeReader and TreeWriter do per file. */
    @Setup
    public void setUp() throws NoSuchAlgorithmException {
        new SplittableRandom(64).nextBytes(chunk);
        digest = MessageDigest.getInstance("SHA-256");
    }

    /** One chunk, default JIT. */
    @Benchmark
    public void sha256(FrameCodecBenchmark.WireBytes counter) {
        digest.update(chunk);
        counter.bytes += chunk.length;
    }

    /** One chunk, C1 only, as the agent once ran. */
    @Benchmark
    @Fork(
            value = 1,
            jvmArgsAppend = {"-Xms256m", "-Xmx256m", "-XX:TieredStopAtLevel=1"})
    public void sha256AgentJit(FrameCodecBenchmark.WireBytes counter) {
        digest.update(chunk);
        counter.bytes += chunk.length;
    }
}

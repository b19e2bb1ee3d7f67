package io.mycelium.bench;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Latency of one no-op RPC, sampled so JMH reports percentiles (p50, p95, p99...).
 *
 * <ul>
 *   <li>{@code agentPing}: {@code context.ping()} joined, on a context whose local agent is already connected: caller
 *       to context actor, outbound stream, the agent's stdin pipe, the agent's reader and writer threads, its stdout
 *       pipe, the inbound stream and back to the caller.
 *   <li>{@code anchorPipeEcho}: the transport's floor: 16 bytes written to a {@code cat} child process and read back
 *       through the same two pipes, with no framing, no encoding and no actors.
 * </ul>
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class RpcRoundTripBenchmark {

    /** One ping to the agent and its answer. */
    @Benchmark
    public Duration agentPing(LocalAgent agent) {
        return agent.context().ping().toCompletableFuture().join();
    }

    /** One 16-byte echo through {@code cat}. */
    @Benchmark
    public byte[] anchorPipeEcho(CatEcho cat) throws Exception {
        return cat.roundTrip();
    }
}

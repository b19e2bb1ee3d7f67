package io.mycelium.bench;

import io.mycelium.wire.Frame;
import io.mycelium.wire.FrameDecoder;
import io.mycelium.wire.FrameEncoder;
import io.mycelium.wire.Message;
import io.mycelium.wire.MessageCodec;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Throughput of the wire protocol in one thread, in frames per second and (secondary metric {@code bytes}, in
 * bytes/s) wire bytes per second.
 *
 * <ul>
 *   <li>{@code encode*}: {@link MessageCodec#encode} then {@link FrameEncoder#encode}, as the controller's outbound
 *       stream does, for an {@link Message.Output} with 64 KiB of data and for a {@link Message.Ping}.
 *   <li>{@code decode*}: a byte stream of many such frames fed to a {@link FrameDecoder} in 64 KiB reads (so large
 *       frames straddle reads, as from a pipe), each completed frame decoded with {@link MessageCodec#decode}. One
 *       operation is one frame.
 *   <li>{@code anchorCopy64k}: copying 64 KiB into a new array, the memory bandwidth the codec's copies compete with.
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class FrameCodecBenchmark {
    static final int MAX_FRAME = Frame.DEFAULT_MAX_LENGTH;
    static final int PAYLOAD = 64 * 1024;
    static final int READ = 64 * 1024;
    static final int OUTPUT_FRAMES = 32;
    static final int PING_FRAMES = 8192;
    static final int STREAM_ID = 7;

    private final MessageCodec codec = new MessageCodec(MAX_FRAME);
    private final FrameDecoder decoder = new FrameDecoder(MAX_FRAME, false);
    private Message.Output output;
    private byte[] outputStream;
    private byte[] pingStream;
    private long pingId;

    /** Wire bytes handled, reported by JMH as a rate next to the frame rate. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class WireBytes {
        /** Bytes encoded or decoded in this iteration, header included. */
        public long bytes;

        /** Starts each iteration from zero. */
        @Setup(Level.Iteration)
        public void reset() {
            bytes = 0;
        }
    }

    /** Builds the messages and the encoded streams to decode. */
    @Setup(Level.Trial)
    public void setUp() {
        byte[] data = new byte[PAYLOAD];
        new SplittableRandom(42).nextBytes(data);
        output = new Message.Output(Message.Channel.STDOUT, data);
        outputStream = stream(OUTPUT_FRAMES, i -> output);
        pingStream = stream(PING_FRAMES, i -> new Message.Ping(i + 1_000_000L));
    }

    private byte[] stream(int frames, IntFunction<Message> message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < frames; i++) {
            out.writeBytes(FrameEncoder.encode(STREAM_ID, codec.encode(message.apply(i)), MAX_FRAME));
        }
        return out.toByteArray();
    }

    /** One Output frame with 64 KiB of data. */
    @Benchmark
    public byte[] encodeOutput64k(WireBytes counter) {
        byte[] frame = FrameEncoder.encode(STREAM_ID, codec.encode(output), MAX_FRAME);
        counter.bytes += frame.length;
        return frame;
    }

    /** One Ping frame (a new message each time, as the context actor sends them). */
    @Benchmark
    public byte[] encodePing(WireBytes counter) {
        byte[] frame = FrameEncoder.encode(STREAM_ID, codec.encode(new Message.Ping(pingId++)), MAX_FRAME);
        counter.bytes += frame.length;
        return frame;
    }

    /** {@value #OUTPUT_FRAMES} Output frames of 64 KiB, fed in 64 KiB reads. */
    @Benchmark
    @OperationsPerInvocation(OUTPUT_FRAMES)
    public void decodeOutput64k(WireBytes counter, Blackhole sink) {
        decodeAll(outputStream, sink);
        counter.bytes += outputStream.length;
    }

    /** {@value #PING_FRAMES} Ping frames, fed in 64 KiB reads. */
    @Benchmark
    @OperationsPerInvocation(PING_FRAMES)
    public void decodePing(WireBytes counter, Blackhole sink) {
        decodeAll(pingStream, sink);
        counter.bytes += pingStream.length;
    }

    /** Baseline: one 64 KiB array copy. */
    @Benchmark
    public byte[] anchorCopy64k(WireBytes counter) {
        byte[] copy = Arrays.copyOf(output.data(), PAYLOAD);
        counter.bytes += PAYLOAD;
        return copy;
    }

    private void decodeAll(byte[] bytes, Blackhole sink) {
        for (int off = 0; off < bytes.length; off += READ) {
            decoder.feed(bytes, off, Math.min(READ, bytes.length - off), frame -> sink.consume(codec.decode(frame)));
        }
    }
}

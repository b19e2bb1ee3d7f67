package io.mycelium.wire;

import static io.mycelium.wire.WireTestSupport.allocatedBytes;
import static io.mycelium.wire.WireTestSupport.assertSameFrames;
import static io.mycelium.wire.WireTestSupport.assertSameMessages;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mycelium.wire.WireTestSupport.MessageGenerator;
import io.mycelium.wire.WireTestSupport.Split;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Jazzer fuzz tests of the wire protocol. {@code mvn test} runs them on their seed inputs only (regression mode), from
 * {@code src/test/resources/io/mycelium/wire/WireFuzzTestInputs/<method>/}; to fuzz, run one with
 * {@code JAZZER_FUZZ=1}, e.g. {@code JAZZER_FUZZ=1 ./mvnw -pl agent-bootstrap test -Dtest=WireFuzzTest#decoderInput}.
 * Inputs it finds land in that directory and then stay regression tests.
 */
class WireFuzzTest {
    /** Smaller than the default so the fuzzer reaches complete frames, and bounds what a frame may allocate. */
    private static final int MAX_FRAME = 64 * 1024;

    private static final MessageCodec CODEC = new MessageCodec(Frame.DEFAULT_MAX_LENGTH);

    static {
        // Loads and links what decoding touches, so the allocation bound below measures decoding, not class loading.
        byte[] valid = WireTestSupport.frameBytes(1, CODEC.encode(new Message.Goodbye("bye")));
        byte[] refused = WireTestSupport.frameBytes(2, new byte[] {(byte) 0xFF, 1, 2});
        decode(WireTestSupport.concat(valid, refused, new byte[] {0, 0, 0}), false, left -> left, new Random(0));
        decode(WireTestSupport.concat(FrameDecoder.PREAMBLE, valid), true, left -> 1, new Random(0));
    }

    /** What decoding {@code bytes} does: the frames, the messages (or refusals) they hold and how it ended. */
    private record Outcome(List<Frame> frames, List<String> messages, String failure) {}

    /**
     * Arbitrary bytes, with and without the preamble: only {@link WireProtocolException}s escape, never another
     * exception or error, and decoding allocates no more than a frame's limit plus a small multiple of the input.
     */
    @FuzzTest
    void decoderInput(byte[] input) {
        for (boolean preamble : new boolean[] {false, true}) {
            // Once to load (and, when fuzzing, instrument) what this input reaches, then again to measure.
            Outcome first = decode(input, preamble, Split.ALL_AT_ONCE.pieces(null), new Random(0));
            long before = allocatedBytes();
            Outcome second = decode(input, preamble, Split.ALL_AT_ONCE.pieces(null), new Random(0));
            long allocated = allocatedBytes() - before;
            assertThat(allocated)
                    .as("bytes allocated decoding %d bytes", input.length)
                    .isLessThan(MAX_FRAME + 64L * input.length + 4 * 1024 * 1024);
            assertThat(second.messages()).isEqualTo(first.messages());
            assertThat(second.failure()).isEqualTo(first.failure());
        }
    }

    /** Arbitrary bytes split arbitrarily decode exactly as they do in one piece: same frames, same failure. */
    @FuzzTest
    void splitDoesNotMatter(FuzzedDataProvider data) {
        boolean preamble = data.consumeBoolean();
        Split split = data.pickValue(Split.values());
        long splitSeed = data.consumeLong();
        byte[] input = data.consumeRemainingAsBytes();
        Outcome whole = decode(input, preamble, Split.ALL_AT_ONCE.pieces(null), new Random(0));
        Random random = new Random(splitSeed);
        Outcome pieces = decode(input, preamble, split.pieces(random), random);
        assertSameFrames(whole.frames(), pieces.frames(), split.toString());
        assertThat(pieces.messages()).isEqualTo(whole.messages());
        assertThat(pieces.failure()).isEqualTo(whole.failure());
    }

    /** Messages built from the fuzzer's data, sent after optional junk and preamble, arrive exactly as sent. */
    @FuzzTest
    void messagesRoundTrip(FuzzedDataProvider data) {
        boolean preamble = data.consumeBoolean();
        byte[] junk = preamble ? data.consumeBytes(data.consumeInt(0, 300)) : new byte[0];
        WireTestSupport.removePreambles(junk);
        Split split = data.pickValue(Split.values());
        Random random = new Random(data.consumeLong());
        MessageGenerator generator = new MessageGenerator(WireTestSupport.entropy(data), 4096);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (preamble) {
            out.writeBytes(junk);
            out.writeBytes(FrameDecoder.PREAMBLE);
        }
        List<Message> sent = new ArrayList<>();
        List<Integer> streams = new ArrayList<>();
        for (int n = data.consumeInt(0, 8); n > 0 && data.remainingBytes() > 0; n--) {
            Message message = generator.next();
            int streamId = data.consumeInt();
            sent.add(message);
            streams.add(streamId);
            out.writeBytes(FrameEncoder.encode(streamId, CODEC.encode(message), MAX_FRAME));
        }
        byte[] stream = out.toByteArray();

        FrameDecoder decoder = new FrameDecoder(MAX_FRAME, preamble);
        List<Frame> frames = WireTestSupport.feedInPieces(decoder, stream, split.pieces(random), random);
        decoder.finish();
        assertThat(frames.stream().map(Frame::streamId).toList()).isEqualTo(streams);
        assertSameMessages(sent, frames.stream().map(CODEC::decode).toList(), split.toString());
        assertThat(decoder.skippedText()).isEqualTo(new String(junk, StandardCharsets.UTF_8));
    }

    /**
     * Decodes {@code input} to the end or to the first failure, decoding each frame's message. Lets only
     * {@link WireProtocolException} through, as a recorded failure; anything else propagates and fails the test.
     */
    private static Outcome decode(
            byte[] input, boolean preamble, java.util.function.IntUnaryOperator pieces, Random random) {
        FrameDecoder decoder = new FrameDecoder(MAX_FRAME, preamble);
        List<Frame> frames = new ArrayList<>();
        List<String> messages = new ArrayList<>();
        String failure = null;
        try {
            frames.addAll(WireTestSupport.feedInPieces(decoder, input, pieces, random));
            decoder.finish();
        } catch (WireProtocolException e) {
            failure = e.getMessage() + " @" + e.offset();
        }
        // Frames emitted before a failure are complete and must each decode or be refused cleanly.
        for (Frame frame : frames) {
            assertThat(frame.payload().length).isBetween(1, MAX_FRAME);
            messages.add(decodeMessage(frame));
        }
        return new Outcome(frames, messages, failure);
    }

    private static String decodeMessage(Frame frame) {
        Message message;
        try {
            message = CODEC.decode(frame);
        } catch (WireProtocolException e) {
            assertThat(e).hasMessageStartingWith("undecodable payload of " + frame.payload().length + " bytes");
            return "refused: " + e.getMessage();
        }
        // A message that decodes encodes again and decodes to the same message.
        Message again = CODEC.decode(new Frame(frame.streamId(), CODEC.encode(message)));
        assertThat(WireTestSupport.sameMessage(message, again))
                .as(WireTestSupport.describe(message))
                .isTrue();
        return WireTestSupport.describe(message);
    }
}

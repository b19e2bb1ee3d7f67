package io.mycelium.wire;

import static io.mycelium.wire.WireTestSupport.allocatedBytes;
import static io.mycelium.wire.WireTestSupport.concat;
import static io.mycelium.wire.WireTestSupport.entropy;
import static io.mycelium.wire.WireTestSupport.frameBytes;
import static io.mycelium.wire.WireTestSupport.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Output;
import io.mycelium.wire.WireTestSupport.MessageGenerator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A hostile or broken peer gets a {@link WireProtocolException} naming what was wrong (and where, for the frame layer)
 * and never makes the receiver allocate what it declares.
 */
class HostileInputTest {
    /** Far below every hostile length declared here (at least 1 MiB), far above the cost of refusing. */
    private static final long ALLOCATION_BUDGET = 256 * 1024;

    private final MessageCodec codec = new MessageCodec(Frame.DEFAULT_MAX_LENGTH);

    /**
     * Runs {@code action}, which must throw a {@link WireProtocolException}, twice: once to warm up (class loading,
     * linkage), then measuring what the current thread allocates.
     */
    private static WireProtocolException refusedWithin(long budget, Runnable action) {
        thrownBy(action);
        long before = allocatedBytes();
        WireProtocolException e = thrownBy(action);
        long allocated = allocatedBytes() - before;
        assertThat(allocated).as("bytes allocated refusing: %s", e.getMessage()).isLessThan(budget);
        return e;
    }

    private static WireProtocolException thrownBy(Runnable action) {
        try {
            action.run();
        } catch (WireProtocolException e) {
            return e;
        } catch (OutOfMemoryError e) {
            // Reported as a failure of this test rather than left to abort the whole run.
            throw new AssertionError("allocated what the hostile input declared", e);
        }
        return fail("expected a WireProtocolException");
    }

    private static List<Frame> feed(FrameDecoder decoder, byte[] bytes) {
        List<Frame> frames = new ArrayList<>();
        decoder.feed(bytes, 0, bytes.length, frames::add);
        return frames;
    }

    // ---- frame layer ----

    @Test
    void truncatedHeader() {
        FrameDecoder decoder = new FrameDecoder(100, false);
        byte[] frame = frameBytes(3, new byte[] {1, 2});
        assertThat(feed(decoder, concat(frame, Arrays.copyOf(frame, 5)))).hasSize(1);
        assertThatThrownBy(decoder::finish)
                .isInstanceOf(WireProtocolException.class)
                .hasMessage("truncated frame: header has 5 of 8 bytes (at byte offset 15)")
                .extracting(e -> ((WireProtocolException) e).offset())
                .isEqualTo(15L);
    }

    @Test
    void truncatedPayload() {
        FrameDecoder decoder = new FrameDecoder(100, false);
        byte[] frame = frameBytes(-2, new byte[10]);
        feed(decoder, Arrays.copyOf(frame, 12));
        assertThatThrownBy(decoder::finish)
                .isInstanceOf(WireProtocolException.class)
                .hasMessage("truncated frame on stream 4294967294: payload has 4 of 10 bytes (at byte offset 12)");
    }

    @Test
    void streamEndingBeforeThePreambleShowsWhatWasPrintedInstead() {
        FrameDecoder decoder = new FrameDecoder(100, true);
        byte[] banner = "sh: 1: java: not found\n".getBytes(StandardCharsets.UTF_8);
        feed(decoder, concat(banner, Arrays.copyOf(FrameDecoder.PREAMBLE, 4)));
        assertThatThrownBy(decoder::finish)
                .isInstanceOf(WireProtocolException.class)
                .hasMessageContaining(
                        "stream ended before the agent's preamble; it printed instead: sh: 1: java: not found")
                .hasMessageContaining("(at byte offset " + (banner.length + 4) + ")");
    }

    /** Every cut of a valid stream either ends on a frame boundary or is reported as truncated where it was cut. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void everyTruncationIsReportedAtItsOffset(int seed) {
        Random random = new Random(seed);
        boolean preamble = random.nextBoolean();
        List<Integer> boundaries = new ArrayList<>();
        List<byte[]> parts = new ArrayList<>();
        int length = preamble ? FrameDecoder.PREAMBLE.length : 0;
        if (preamble) {
            parts.add(FrameDecoder.PREAMBLE);
        }
        boundaries.add(length);
        for (int i = random.nextInt(5); i >= 0; i--) {
            byte[] frame = frameBytes(random.nextInt(), new byte[1 + random.nextInt(20)]);
            parts.add(frame);
            length += frame.length;
            boundaries.add(length);
        }
        byte[] stream = concat(parts.toArray(byte[][]::new));
        for (int cut = 0; cut <= stream.length; cut++) {
            FrameDecoder decoder = new FrameDecoder(100, preamble);
            List<Frame> frames = feed(decoder, Arrays.copyOf(stream, cut));
            int complete = 0;
            while (complete + 1 < boundaries.size() && boundaries.get(complete + 1) <= cut) {
                complete++;
            }
            assertThat(frames).as("seed %d cut %d", seed, cut).hasSize(complete);
            if (boundaries.contains(cut)) {
                decoder.finish();
                continue;
            }
            int into = cut - boundaries.get(complete);
            String expected = cut < boundaries.get(0)
                    ? "stream ended before the agent's preamble"
                    : into < Frame.HEADER_LENGTH
                            ? "truncated frame: header has " + into + " of 8 bytes"
                            : "truncated frame on stream ";
            assertThatThrownBy(decoder::finish)
                    .as("seed %d cut %d", seed, cut)
                    .isInstanceOf(WireProtocolException.class)
                    .hasMessageStartingWith(expected)
                    .hasMessageEndingWith("(at byte offset " + cut + ")");
        }
    }

    static IntStream seeds() {
        return IntStream.rangeClosed(1, 200);
    }

    static Stream<Arguments> hugeLengths() {
        long limit = Frame.DEFAULT_MAX_LENGTH;
        return Stream.of(
                Arguments.of(0xFFFFFFFFL, false),
                Arguments.of(0xFFFFFFFFL, true),
                Arguments.of(0x80000000L, false), // negative as an int
                Arguments.of(0x7FFFFFFFL, true),
                Arguments.of(limit + 1, false),
                Arguments.of(limit + 1, true));
    }

    @ParameterizedTest(name = "length {0}, preamble {1}")
    @MethodSource("hugeLengths")
    void lengthOverTheLimitIsRefusedAsSoonAsTheHeaderIsCompleteWithoutAllocating(long length, boolean preamble) {
        byte[] prefix =
                preamble ? concat("banner\n".getBytes(StandardCharsets.UTF_8), FrameDecoder.PREAMBLE) : new byte[0];
        byte[] valid = frameBytes(1, new byte[] {7});
        byte[] hostile = header(42, length);

        // Byte by byte: nothing until the eighth header byte, which throws; no payload byte was ever fed.
        FrameDecoder decoder = new FrameDecoder(Frame.DEFAULT_MAX_LENGTH, preamble);
        List<Frame> frames = feed(decoder, concat(prefix, valid));
        assertThat(frames).hasSize(1);
        for (int i = 0; i < Frame.HEADER_LENGTH - 1; i++) {
            decoder.feed(hostile, i, 1, frames::add);
        }
        WireProtocolException e = thrownBy(() -> decoder.feed(hostile, 7, 1, frames::add));
        long headerAt = prefix.length + valid.length;
        assertThat(e)
                .hasMessage("frame on stream 42 declares " + length + " bytes, over the limit of "
                        + Frame.DEFAULT_MAX_LENGTH + " by " + (length - Frame.DEFAULT_MAX_LENGTH)
                        + " (at byte offset " + headerAt + ")");
        assertThat(e.offset()).isEqualTo(headerAt);
        assertThat(decoder.offset()).isEqualTo(headerAt + Frame.HEADER_LENGTH);
        assertThat(frames).hasSize(1);

        // All at once, with payload bytes behind the header: refused after the header, without allocating or
        // copying any of them.
        byte[] stream = concat(prefix, valid, hostile, new byte[1000]);
        FrameDecoder[] last = new FrameDecoder[1];
        refusedWithin(ALLOCATION_BUDGET, () -> {
            last[0] = new FrameDecoder(Frame.DEFAULT_MAX_LENGTH, preamble);
            last[0].feed(stream, 0, stream.length, f -> {});
        });
        assertThat(last[0].offset()).isEqualTo(headerAt + Frame.HEADER_LENGTH);
    }

    @Test
    void lengthExactlyAtTheLimitIsAccepted() {
        FrameDecoder decoder = new FrameDecoder(1000, false);
        feed(decoder, header(1, 1000));
        feed(decoder, new byte[999]);
        assertThat(feed(decoder, new byte[1]))
                .singleElement()
                .satisfies(f -> assertThat(f.payload()).hasSize(1000));
        decoder.finish();
    }

    @Test
    void emptyFrame() {
        FrameDecoder decoder = new FrameDecoder(100, false);
        feed(decoder, frameBytes(1, new byte[] {1}));
        assertThatThrownBy(() -> feed(decoder, header(77, 0)))
                .isInstanceOf(WireProtocolException.class)
                .hasMessage("empty frame on stream 77 (at byte offset 9)");
    }

    @Test
    void tooMuchJunkBeforeThePreamble() {
        FrameDecoder decoder = new FrameDecoder(100, true);
        byte[] junk = new byte[FrameDecoder.MAX_SKIPPED];
        Arrays.fill(junk, (byte) 'y');
        byte[] banner = "Welcome to ACME shell\n".getBytes(StandardCharsets.UTF_8);
        System.arraycopy(banner, 0, junk, 0, banner.length);
        feed(decoder, junk); // exactly the most tolerated
        WireProtocolException e = thrownBy(() -> feed(decoder, new byte[] {'y'}));
        assertThat(e)
                .hasMessageStartingWith("no agent preamble within 65536 bytes of output; it printed instead: Welcome to"
                        + " ACME shell yyy")
                .hasMessageEndingWith("... (at byte offset 65537)");
        assertThat(e.offset()).isEqualTo(FrameDecoder.MAX_SKIPPED + 1);
    }

    @Test
    void fragmentsOfThePreambleCountAsJunk() {
        FrameDecoder decoder = new FrameDecoder(100, true);
        byte[] almost = Arrays.copyOf(FrameDecoder.PREAMBLE, FrameDecoder.PREAMBLE.length - 1);
        assertThatThrownBy(() -> {
                    for (int i = 0; i <= FrameDecoder.MAX_SKIPPED / almost.length + 1; i++) {
                        feed(decoder, almost);
                    }
                })
                .isInstanceOf(WireProtocolException.class)
                .hasMessageContaining("no agent preamble within 65536 bytes");
        assertThat(decoder.offset()).isLessThanOrEqualTo(FrameDecoder.MAX_SKIPPED + 2L * almost.length);
    }

    // ---- message layer ----

    private WireProtocolException undecodable(byte[] payload) {
        WireProtocolException e = thrownBy(() -> codec.decode(new Frame(9, payload)));
        assertThat(e).hasMessageStartingWith("undecodable payload of " + payload.length + " bytes on stream 9: ");
        assertThat(e.offset()).isEqualTo(-1);
        // The codec is still usable afterwards.
        assertThat(codec.decode(new Frame(9, codec.encode(new Message.Ping(5)))))
                .isEqualTo(new Message.Ping(5));
        return e;
    }

    private static byte[] kryoBytes(java.util.function.Consumer<Output> writer) {
        Output out = new Output(64, -1);
        writer.accept(out);
        return out.toBytes();
    }

    @Test
    void unregisteredClassId() {
        assertThat(undecodable(kryoBytes(o -> o.writeVarInt(200 + 2, true))))
                .hasMessageContaining("unregistered class ID: 200");
    }

    @Test
    void nullIsNotAMessage() {
        assertThat(undecodable(new byte[] {0})).hasMessageEndingWith(": null is not a message");
    }

    @Test
    void registeredClassesThatAreNotMessagesAreRefused() {
        Kryo kryo = MessageRegistry.newKryo();
        Object[] notMessages = {
            new Message.RemoteCause("java.io.IOException", "disk full"),
            ErrorCode.TIMEOUT,
            Message.Channel.STDOUT,
            new byte[] {1, 2},
            new String[] {"a"},
            new Message.RemoteCause[0],
            "text",
            42
        };
        for (Object value : notMessages) {
            byte[] payload = kryoBytes(o -> kryo.writeClassAndObject(o, value));
            assertThat(undecodable(payload))
                    .hasMessageEndingWith(": " + value.getClass().getSimpleName() + " is not a message");
        }
    }

    @Test
    void trailingBytes() {
        byte[] payload = concat(codec.encode(new Message.Ping(1)), new byte[] {0, 0});
        assertThat(undecodable(payload)).hasMessageEndingWith(": 2 trailing bytes");
    }

    @Test
    void invalidEnumOrdinal() {
        byte[] payload = codec.encode(new Message.CreditGrant(Message.Channel.DATA, 5));
        byte[] good = payload.clone();
        boolean found = false;
        // The channel is written as ordinal + 1 (0 is null); DATA is 3, so look for a 4 and make it out of range.
        for (int i = 1; i < payload.length; i++) {
            if (payload[i] == 4) {
                payload[i] = 99;
                found = true;
                break;
            }
        }
        assertThat(found).as(HexFormat.of().formatHex(good)).isTrue();
        assertThat(undecodable(payload)).hasMessageContaining("ordinal");
    }

    @Test
    void everyStrictPrefixOfAValidEncodingIsRefused() {
        Random random = new Random(7);
        MessageGenerator generator = new MessageGenerator(entropy(random), 100);
        for (Class<?> type : WireTestSupport.MESSAGE_TYPES) {
            for (int n = 0; n < 5; n++) {
                Message message = generator.next(type, false);
                byte[] payload = codec.encode(message);
                for (int cut = 1; cut < payload.length; cut++) {
                    int c = cut;
                    assertThatThrownBy(() -> codec.decode(new Frame(1, Arrays.copyOf(payload, c))))
                            .as("%s cut to %d of %d bytes", WireTestSupport.describe(message), cut, payload.length)
                            .isInstanceOf(WireProtocolException.class)
                            .hasMessageContaining("undecodable payload of " + cut + " bytes");
                }
            }
        }
    }

    /**
     * For every message type and every component with a declared length (strings, byte arrays, object arrays): a valid
     * prefix up to that length, then a hostile one. Found by encoding a marker of 77 elements (length + 1 = 78, one
     * varint byte 0x4E no other byte of that encoding can be) with every other component zero.
     */
    static Stream<Arguments> lengthPrefixedComponents() {
        List<Arguments> cases = new ArrayList<>();
        for (Class<?> type : WireTestSupport.MESSAGE_TYPES) {
            var components = type.getRecordComponents();
            for (int i = 0; i < components.length; i++) {
                Class<?> c = components[i].getType();
                if (c == String.class || c.isArray()) {
                    cases.add(Arguments.of(type.getSimpleName() + "." + components[i].getName(), type, i));
                }
            }
        }
        return cases.stream();
    }

    private static Object marker(Class<?> type) {
        if (type == String.class) {
            return "Z".repeat(77);
        } else if (type == byte[].class) {
            byte[] b = new byte[77];
            Arrays.fill(b, (byte) 'Z');
            return b;
        }
        return java.lang.reflect.Array.newInstance(type.getComponentType(), 77); // 77 nulls
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lengthPrefixedComponents")
    void hostileLengthInsideAValidPrefixIsRefusedWithoutAllocating(String name, Class<?> type, int index) {
        Object[] values = WireTestSupport.components(WireTestSupport.zeroRecord(type));
        values[index] = marker(type.getRecordComponents()[index].getType());
        byte[] payload = codec.encode((Message) WireTestSupport.construct(type, values));
        int at = -1;
        for (int i = 0; i < payload.length; i++) {
            if (payload[i] == 0x4E) {
                assertThat(at)
                        .as("marker found twice in %s", HexFormat.of().formatHex(payload))
                        .isEqualTo(-1);
                at = i;
            }
        }
        assertThat(at).as("marker in %s", HexFormat.of().formatHex(payload)).isNotNegative();
        byte[] prefix = Arrays.copyOf(payload, at);
        byte[] rest = Arrays.copyOfRange(payload, at + 1, payload.length);

        for (int declared : new int[] {Integer.MAX_VALUE - 1, 1 << 30, rest.length + 1}) {
            byte[] hostile = concat(prefix, kryoBytes(o -> o.writeVarInt(declared + 1, true)), rest);
            WireProtocolException e = refusedWithin(ALLOCATION_BUDGET, () -> codec.decode(new Frame(3, hostile)));
            assertThat(e)
                    .as(name)
                    .hasMessageStartingWith("undecodable payload of " + hostile.length + " bytes on stream 3: ")
                    .hasMessageContaining(
                            "declared length " + declared + " exceeds the " + rest.length + " bytes left");
        }
        // The unmodified payload decodes, so the hostile ones differed only in the declared length.
        assertThat(codec.decode(new Frame(3, payload))).isInstanceOf(type);
    }

    /**
     * Kryo reads class id 1 as "class given by name", then the name as a Kryo string whose declared char count it
     * allocates before checking the input has that many bytes.
     */
    @ParameterizedTest(name = "declared {0} chars")
    @ValueSource(ints = {1 << 30, 100_000_000, 1 << 20, 10})
    void classByNameIsRefusedWithoutAllocatingTheDeclaredName(int chars) {
        byte[] payload = kryoBytes(o -> {
            o.writeVarInt(1, true); // NAME + 2
            o.writeVarInt(0, true); // name id
            o.writeVarIntFlag(true, chars + 1, true); // UTF-8 string of `chars` chars
        });
        assertThat(refusedWithin(ALLOCATION_BUDGET, () -> codec.decode(new Frame(1, payload))))
                .hasMessageContaining("class given by name");
        undecodable(payload);
    }

    @Test
    void aRegisteredMessageGivenByNameIsRefusedToo() {
        byte[] payload = kryoBytes(o -> {
            o.writeVarInt(1, true);
            o.writeVarInt(0, true);
            o.writeString(Message.Cancel.class.getName());
        });
        assertThat(undecodable(payload)).hasMessageContaining("class given by name");
    }

    /**
     * Random payloads and mutations of valid ones: each decodes to a message that round-trips, or is refused with a
     * {@link WireProtocolException}; nothing else escapes and nothing allocates much more than the payload's size.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void randomAndMutatedPayloadsAreDecodedOrRefused(int seed) {
        Random random = new Random(seed);
        MessageGenerator generator = new MessageGenerator(entropy(random), 200);
        for (int i = 0; i < 100; i++) {
            byte[] payload;
            if (i % 2 == 0) {
                payload = new byte[1 + random.nextInt(40)];
                random.nextBytes(payload);
                if (random.nextBoolean()) {
                    payload[0] = (byte) (22 + random.nextInt(53)); // a registered id, or near one
                }
            } else {
                payload = mutate(codec.encode(generator.next()), random);
            }
            decodeOrRefuse(payload, seed); // warm-up: first use of a path loads and links classes
            long before = allocatedBytes();
            Message message = decodeOrRefuse(payload, seed);
            assertThat(allocatedBytes() - before)
                    .as("seed %d: allocated decoding %s", seed, HexFormat.of().formatHex(payload))
                    .isLessThan(ALLOCATION_BUDGET + 16L * payload.length);
            if (message != null) {
                Message again = codec.decode(new Frame(1, codec.encode(message)));
                assertThat(WireTestSupport.sameMessage(message, again))
                        .as("seed %d: %s", seed, WireTestSupport.describe(message))
                        .isTrue();
            }
        }
    }

    /** The decoded message, or null when refused with a {@link WireProtocolException}; anything else fails. */
    private Message decodeOrRefuse(byte[] payload, int seed) {
        try {
            return codec.decode(new Frame(1, payload));
        } catch (WireProtocolException e) {
            if (!e.getMessage().startsWith("undecodable payload of " + payload.length + " bytes on stream 1: ")) {
                throw new AssertionError("seed " + seed + ": unexpected message " + e.getMessage(), e);
            }
            return null;
        } catch (Throwable t) {
            throw new AssertionError("seed " + seed + ": " + HexFormat.of().formatHex(payload) + " threw " + t, t);
        }
    }

    private static byte[] mutate(byte[] payload, Random random) {
        byte[] b = payload.clone();
        switch (random.nextInt(4)) {
            case 0 -> b[random.nextInt(b.length)] = (byte) random.nextInt();
            case 1 -> b[random.nextInt(b.length)] = (byte) 0xFF;
            case 2 -> {
                int at = random.nextInt(b.length);
                byte[] huge = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07};
                b = concat(Arrays.copyOf(b, at), huge, Arrays.copyOfRange(b, at, b.length));
            }
            default -> {
                if (b.length > 1) {
                    int at = 1 + random.nextInt(b.length - 1);
                    b = concat(Arrays.copyOf(b, at), Arrays.copyOfRange(b, at + 1, b.length));
                }
            }
        }
        return b;
    }
}

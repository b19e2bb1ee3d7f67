package io.mycelium.wire;

import static org.assertj.core.api.Assertions.fail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.function.IntUnaryOperator;

/** Generators, feeders and comparisons shared by the wire property, hostile-input and fuzz tests. */
final class WireTestSupport {
    /** Every {@link Message} record, in a stable order. */
    static final List<Class<?>> MESSAGE_TYPES = Arrays.stream(Message.class.getPermittedSubclasses())
            .sorted(Comparator.comparing(Class::getName))
            .toList();

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private WireTestSupport() {}

    /** Heap bytes allocated by the current thread so far. */
    static long allocatedBytes() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    /** Source of choices: a seeded {@link Random} in property tests, the fuzzer's data in fuzz tests. */
    interface Entropy {
        /** A value in [min, max], both inclusive. */
        int between(int min, int max);

        long anyLong();

        boolean coin();

        /** Up to {@code length} bytes (exactly {@code length} unless the source ran dry). */
        byte[] bytes(int length);
    }

    static Entropy entropy(Random random) {
        return new Entropy() {
            @Override
            public int between(int min, int max) {
                return (int) (min + Math.floorMod(random.nextLong(), (long) max - min + 1));
            }

            @Override
            public long anyLong() {
                return random.nextLong();
            }

            @Override
            public boolean coin() {
                return random.nextBoolean();
            }

            @Override
            public byte[] bytes(int length) {
                byte[] b = new byte[length];
                random.nextBytes(b);
                return b;
            }
        };
    }

    static Entropy entropy(FuzzedDataProvider data) {
        return new Entropy() {
            @Override
            public int between(int min, int max) {
                return data.consumeInt(min, max);
            }

            @Override
            public long anyLong() {
                return data.consumeLong();
            }

            @Override
            public boolean coin() {
                return data.consumeBoolean();
            }

            @Override
            public byte[] bytes(int length) {
                return data.consumeBytes(length);
            }
        };
    }

    /**
     * Builds arbitrary messages of every type, by reflection over the record components so a new message type is
     * covered without touching the tests (and a new component type fails loudly until it gets a generator). Values
     * include nulls, empty and large arrays, extreme numbers and unicode beyond the BMP.
     */
    static final class MessageGenerator {
        private final Entropy e;
        private final int largeBudget;

        /** @param largeBudget upper bound, in encoded bytes, of the one large array or string of a message */
        MessageGenerator(Entropy e, int largeBudget) {
            this.e = e;
            this.largeBudget = largeBudget;
        }

        Message next() {
            return next(MESSAGE_TYPES.get(e.between(0, MESSAGE_TYPES.size() - 1)), e.between(0, 7) == 0);
        }

        /** @param withLarge whether one variable-length component (if any) is made large */
        Message next(Class<?> type, boolean withLarge) {
            RecordComponent[] components = type.getRecordComponents();
            int large = withLarge ? e.between(0, Math.max(0, components.length - 1)) : -1;
            Object[] values = new Object[components.length];
            for (int i = 0; i < components.length; i++) {
                values[i] = value(components[i].getType(), i == large);
            }
            return (Message) construct(type, values);
        }

        private Object value(Class<?> type, boolean large) {
            if (type == int.class) {
                return anyInt();
            } else if (type == long.class) {
                return switch (e.between(0, 4)) {
                    case 0 -> 0L;
                    case 1 -> Long.MIN_VALUE;
                    case 2 -> Long.MAX_VALUE;
                    default -> e.anyLong();
                };
            } else if (type == boolean.class) {
                return e.coin();
            } else if (type == String.class) {
                return string(large ? largeBudget / 4 : 24);
            } else if (type == byte[].class) {
                return bytes(large ? largeBudget : 40);
            } else if (type == String[].class) {
                int n = arrayLength(large ? largeBudget / 100 : 6);
                if (n < 0) {
                    return null;
                }
                String[] array = new String[n];
                for (int i = 0; i < n; i++) {
                    array[i] = string(24);
                }
                return array;
            } else if (type == Message.RemoteCause[].class) {
                int n = arrayLength(large ? largeBudget / 200 : 4);
                if (n < 0) {
                    return null;
                }
                Message.RemoteCause[] array = new Message.RemoteCause[n];
                for (int i = 0; i < n; i++) {
                    array[i] = e.between(0, 5) == 0 ? null : new Message.RemoteCause(string(24), string(24));
                }
                return array;
            } else if (type.isEnum()) {
                Object[] constants = type.getEnumConstants();
                return e.between(0, 7) == 0 ? null : constants[e.between(0, constants.length - 1)];
            }
            throw new IllegalStateException("no generator for record components of type " + type.getName());
        }

        private int anyInt() {
            return switch (e.between(0, 5)) {
                case 0 -> 0;
                case 1 -> -1;
                case 2 -> Integer.MIN_VALUE;
                case 3 -> Integer.MAX_VALUE;
                case 4 -> e.between(0, 300);
                default -> e.between(Integer.MIN_VALUE, Integer.MAX_VALUE);
            };
        }

        /** -1 for null, else a length up to {@code max}, often 0. */
        private int arrayLength(int max) {
            return switch (e.between(0, 7)) {
                case 0 -> -1;
                case 1 -> 0;
                default -> e.between(0, Math.max(0, max));
            };
        }

        private byte[] bytes(int max) {
            int n = arrayLength(max);
            return n < 0 ? null : e.bytes(n);
        }

        /** Valid unicode text (no lone surrogates: UTF-8 cannot carry them) of up to {@code maxCodePoints}. */
        private String string(int maxCodePoints) {
            int n = arrayLength(maxCodePoints);
            if (n < 0) {
                return null;
            }
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < n; i++) {
                s.appendCodePoint(
                        switch (e.between(0, 4)) {
                            case 0 -> e.between(0, 0x7F); // ASCII, control characters and NUL included
                            case 1 -> e.between(0x80, 0x7FF);
                            case 2 -> e.between(0x800, 0xD7FF);
                            case 3 -> e.between(0xE000, 0xFFFF);
                            default -> e.between(0x10000, Character.MAX_CODE_POINT);
                        });
            }
            return s.toString();
        }
    }

    static Object construct(Class<?> type, Object... values) {
        Class<?>[] types = Arrays.stream(type.getRecordComponents())
                .map(RecordComponent::getType)
                .toArray(Class<?>[]::new);
        try {
            Constructor<?> constructor = type.getDeclaredConstructor(types);
            return constructor.newInstance(values);
        } catch (ReflectiveOperationException ex) {
            throw new IllegalStateException("cannot construct " + type.getName(), ex);
        }
    }

    /** A record of {@code type} with every component at its zero value: null, 0 or false. */
    static Object zeroRecord(Class<?> type) {
        Object[] values = Arrays.stream(type.getRecordComponents())
                .map(c -> zero(c.getType()))
                .toArray();
        return construct(type, values);
    }

    private static Object zero(Class<?> type) {
        if (type == int.class) {
            return 0;
        } else if (type == long.class) {
            return 0L;
        } else if (type == boolean.class) {
            return false;
        }
        return null;
    }

    static Object[] components(Object record) {
        RecordComponent[] components = record.getClass().getRecordComponents();
        Object[] values = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            try {
                values[i] = components[i].getAccessor().invoke(record);
            } catch (IllegalAccessException | InvocationTargetException ex) {
                throw new IllegalStateException(ex);
            }
        }
        return values;
    }

    /** Record equality with arrays compared by content. */
    static boolean sameMessage(Object a, Object b) {
        if (a == null || b == null) {
            return a == b;
        }
        return a.getClass() == b.getClass() && Objects.deepEquals(components(a), components(b));
    }

    /** A message for an assertion message: arrays by (abbreviated) content, long text abbreviated. */
    static String describe(Object message) {
        if (message == null) {
            return "null";
        }
        StringBuilder s = new StringBuilder(message.getClass().getSimpleName()).append('(');
        RecordComponent[] components = message.getClass().getRecordComponents();
        Object[] values = components(message);
        for (int i = 0; i < values.length; i++) {
            s.append(i == 0 ? "" : ", ").append(components[i].getName()).append('=');
            Object v = values[i];
            if (v instanceof byte[] b) {
                s.append("byte[")
                        .append(b.length)
                        .append("]")
                        .append(HexFormat.of().formatHex(Arrays.copyOf(b, Math.min(b.length, 16))));
            } else if (v instanceof Object[] array) {
                s.append(abbreviate(Arrays.deepToString(array)));
            } else if (v instanceof String str) {
                s.append('"').append(abbreviate(str)).append('"');
            } else {
                s.append(v);
            }
        }
        return s.append(')').toString();
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 120) + "...(" + s.length() + " chars)";
    }

    static void assertSameMessages(List<? extends Message> expected, List<? extends Message> actual, String context) {
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            if (!sameMessage(expected.get(i), actual.get(i))) {
                fail(
                        "%s: message #%d differs:%n expected %s%n but was %s",
                        context, i, describe(expected.get(i)), describe(actual.get(i)));
            }
        }
        if (expected.size() != actual.size()) {
            fail("%s: expected %d messages but got %d", context, expected.size(), actual.size());
        }
    }

    static void assertSameFrames(List<Frame> expected, List<Frame> actual, String context) {
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            Frame e = expected.get(i);
            Frame a = actual.get(i);
            if (e.streamId() != a.streamId() || !Arrays.equals(e.payload(), a.payload())) {
                fail(
                        "%s: frame #%d differs: expected stream %d with %d bytes %s but was stream %d with %d bytes %s",
                        context,
                        i,
                        e.streamId(),
                        e.payload().length,
                        head(e.payload()),
                        a.streamId(),
                        a.payload().length,
                        head(a.payload()));
            }
        }
        if (expected.size() != actual.size()) {
            fail("%s: expected %d frames but got %d", context, expected.size(), actual.size());
        }
    }

    private static String head(byte[] b) {
        return HexFormat.of().formatHex(Arrays.copyOf(b, Math.min(b.length, 16)));
    }

    /** How a byte stream is cut into the pieces handed to {@link FrameDecoder#feed}. */
    enum Split {
        ALL_AT_ONCE,
        ONE_BYTE,
        SMALL_PIECES,
        ANY_PIECES,
        MIXED;

        IntUnaryOperator pieces(Random random) {
            return switch (this) {
                case ALL_AT_ONCE -> left -> left;
                case ONE_BYTE -> left -> 1;
                case SMALL_PIECES -> left -> 1 + random.nextInt(Math.min(left, 9));
                case ANY_PIECES -> left -> 1 + random.nextInt(left);
                case MIXED ->
                    left -> switch (random.nextInt(4)) {
                        case 0 -> left;
                        case 1 -> 1;
                        case 2 -> 1 + random.nextInt(Math.min(left, 9));
                        default -> 1 + random.nextInt(left);
                    };
            };
        }
    }

    /**
     * Feeds {@code stream} to {@code decoder} in pieces of the lengths {@code pieces} picks (given the bytes left),
     * each piece copied into a larger buffer at a random offset so {@code off} is exercised, with some empty feeds.
     *
     * @return the frames emitted, in order
     */
    static List<Frame> feedInPieces(FrameDecoder decoder, byte[] stream, IntUnaryOperator pieces, Random random) {
        List<Frame> frames = new ArrayList<>();
        int at = 0;
        while (at < stream.length) {
            int n = pieces.applyAsInt(stream.length - at);
            if (n <= 0 || n > stream.length - at) {
                throw new IllegalStateException("bad piece length " + n);
            }
            if (n == stream.length) {
                decoder.feed(stream, 0, n, frames::add);
            } else {
                int off = random.nextInt(4);
                byte[] buffer = new byte[off + n + random.nextInt(4)];
                random.nextBytes(buffer);
                System.arraycopy(stream, at, buffer, off, n);
                decoder.feed(buffer, off, n, frames::add);
            }
            at += n;
            if (random.nextInt(8) == 0) {
                decoder.feed(stream, at, 0, frames::add);
            }
        }
        return frames;
    }

    /** Frame header and payload. */
    static byte[] frameBytes(int streamId, byte[] payload) {
        return FrameEncoder.encode(streamId, payload, Integer.MAX_VALUE);
    }

    static byte[] header(int streamId, long length) {
        byte[] h = new byte[Frame.HEADER_LENGTH];
        FrameEncoder.writeHeader(h, streamId, (int) length);
        return h;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /**
     * What a remote shell might print before the agent's preamble: text, binary noise and fragments of the preamble
     * itself, exactly {@code length} bytes and never the whole preamble.
     */
    static byte[] junk(Random random, int length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String[] lines = {
            "Last login: Tue Nov 18 09:12:44 2025 from 10.0.0.7\r\n",
            "bash: warning: setlocale: LC_ALL: cannot change locale (ünïcödé ✓ 🍄)\n",
            "MYCELIUM\n",
            "\u0001\u0000"
        };
        while (out.size() < length) {
            switch (random.nextInt(4)) {
                case 0 -> out.writeBytes(lines[random.nextInt(lines.length)].getBytes(StandardCharsets.UTF_8));
                case 1 -> out.write(FrameDecoder.PREAMBLE, 0, 1 + random.nextInt(FrameDecoder.PREAMBLE.length - 1));
                case 2 -> out.writeBytes(new byte[] {0, 0, 'M'});
                default -> {
                    byte[] noise = new byte[1 + random.nextInt(16)];
                    random.nextBytes(noise);
                    out.writeBytes(noise);
                }
            }
        }
        byte[] junk = Arrays.copyOf(out.toByteArray(), length);
        removePreambles(junk);
        return junk;
    }

    /** Breaks every occurrence of the preamble in {@code bytes}, in place. */
    static void removePreambles(byte[] bytes) {
        for (int i = indexOf(bytes, FrameDecoder.PREAMBLE, 0); i >= 0; i = indexOf(bytes, FrameDecoder.PREAMBLE, i)) {
            bytes[i + FrameDecoder.PREAMBLE.length - 1] = 'x';
        }
    }

    static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}

package io.mycelium.journal;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.util.ByteString;

/**
 * Serializers for values whose size is declared in the input. Kryo's own String and byte[] serializers allocate
 * whatever length the input declares before reading it; these check the length against the bytes left first
 * ({@link DeclaredLengthException}).
 *
 * <pre>
 * String, byte[], ByteString:  varint (length + 1, 0 = null) | length bytes (UTF-8 for a String)
 * enum constant:               String (its name)
 * </pre>
 */
final class BoundedSerializers {
    private BoundedSerializers() {}

    /** Writes {@code bytes} as a varint length + 1 (0 for null) and the bytes. */
    static void writeBytes(Output output, byte[] bytes) {
        if (bytes == null) {
            output.writeVarInt(0, true);
            return;
        }
        output.writeVarInt(bytes.length + 1, true);
        output.writeBytes(bytes);
    }

    /** Reads what {@link #writeBytes} wrote, refusing a length the input cannot hold. */
    static byte[] readBytes(Input input, String what) {
        int length = input.readVarInt(true) - 1;
        if (length == -1) {
            return null;
        }
        return input.readBytes(DeclaredLengthException.check(input, length, 1, what));
    }

    static void writeString(Output output, String value) {
        writeBytes(output, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    static String readString(Input input) {
        byte[] bytes = readBytes(input, "String");
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    /** {@link String} as UTF-8. */
    static final class Utf8String extends Serializer<String> {
        Utf8String() {
            super(true, true);
        }

        @Override
        public void write(Kryo kryo, Output output, String value) {
            writeString(output, value);
        }

        @Override
        public String read(Kryo kryo, Input input, Class<? extends String> type) {
            return readString(input);
        }
    }

    /** {@code byte[]}, read back as a new array. */
    static final class Bytes extends Serializer<byte[]> {
        Bytes() {
            super(true, false);
        }

        @Override
        public void write(Kryo kryo, Output output, byte[] value) {
            writeBytes(output, value);
        }

        @Override
        public byte[] read(Kryo kryo, Input input, Class<? extends byte[]> type) {
            return readBytes(input, "byte[]");
        }

        @Override
        public byte[] copy(Kryo kryo, byte[] original) {
            return original.clone();
        }
    }

    /** Pekko's {@link ByteString}, any of its implementations, read back compact. */
    static final class PekkoByteString extends Serializer<ByteString> {
        PekkoByteString() {
            super(false, true);
        }

        @Override
        public void write(Kryo kryo, Output output, ByteString value) {
            writeBytes(output, value.toArrayUnsafe());
        }

        @Override
        public ByteString read(Kryo kryo, Input input, Class<? extends ByteString> type) {
            byte[] bytes = readBytes(input, "ByteString");
            if (bytes == null) {
                throw new KryoException("null ByteString in a non-null position");
            }
            // The array was made for this ByteString alone, so it can be wrapped without a copy.
            return ByteString.fromArrayUnsafe(bytes);
        }
    }

    /**
     * Enum constants by name rather than Kryo's ordinal: stored events outlive the order of the constants in the
     * source, and a renamed or removed constant fails loudly instead of decoding as its neighbour.
     */
    static final class EnumByName<E extends Enum<E>> extends Serializer<E> {
        private final Class<E> type;
        private final Map<String, E> byName = new HashMap<>();

        EnumByName(Class<E> type) {
            super(false, true);
            this.type = type;
            for (E constant : type.getEnumConstants()) {
                byName.put(constant.name(), constant);
            }
        }

        @Override
        public void write(Kryo kryo, Output output, E value) {
            writeString(output, value.name());
        }

        @Override
        public E read(Kryo kryo, Input input, Class<? extends E> ignored) {
            String name = readString(input);
            E constant = byName.get(name);
            if (constant == null) {
                throw new KryoException("enum " + type.getName() + " has no constant " + name
                        + " (was it renamed or removed? stored events still name it)");
            }
            return constant;
        }
    }
}

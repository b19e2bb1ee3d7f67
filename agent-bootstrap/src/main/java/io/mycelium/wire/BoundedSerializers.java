package io.mycelium.wire;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.lang.reflect.Array;
import java.nio.charset.StandardCharsets;

/**
 * Serializers for variable-length values that refuse a declared length larger than the bytes left in the frame, before
 * allocating. A frame is at most a few MiB, so no hostile payload can make the decoder allocate more than that.
 */
final class BoundedSerializers {
    private BoundedSerializers() {}

    static int checkedLength(Input input, int length, int minBytesPerElement) {
        long remaining = input.limit() - input.position();
        if (length < 0 || (long) length * minBytesPerElement > remaining) {
            throw new KryoException("declared length " + length + " exceeds the " + remaining + " bytes left");
        }
        return length;
    }

    /** Strings as a varint byte count and UTF-8 bytes. Null is written as count -1. */
    static final class Utf8String extends Serializer<String> {
        Utf8String() {
            setAcceptsNull(true);
            setImmutable(true);
        }

        @Override
        public void write(Kryo kryo, Output output, String value) {
            if (value == null) {
                output.writeVarInt(0, true);
                return;
            }
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            output.writeVarInt(bytes.length + 1, true);
            output.writeBytes(bytes);
        }

        @Override
        public String read(Kryo kryo, Input input, Class<? extends String> type) {
            int length = input.readVarInt(true) - 1;
            if (length == -1) {
                return null;
            }
            return new String(input.readBytes(checkedLength(input, length, 1)), StandardCharsets.UTF_8);
        }
    }

    /** Byte arrays as a varint count and raw bytes. */
    static final class Bytes extends Serializer<byte[]> {
        Bytes() {
            setAcceptsNull(true);
        }

        @Override
        public void write(Kryo kryo, Output output, byte[] value) {
            if (value == null) {
                output.writeVarInt(0, true);
                return;
            }
            output.writeVarInt(value.length + 1, true);
            output.writeBytes(value);
        }

        @Override
        public byte[] read(Kryo kryo, Input input, Class<? extends byte[]> type) {
            int length = input.readVarInt(true) - 1;
            if (length == -1) {
                return null;
            }
            return input.readBytes(checkedLength(input, length, 1));
        }
    }

    /** Arrays of a registered element type; every element takes at least one byte, which bounds the count. */
    static final class ObjectArray<T> extends Serializer<T[]> {
        private final Class<T> elementType;

        @SuppressWarnings("unchecked")
        ObjectArray(Class<?> elementType) {
            this.elementType = (Class<T>) elementType;
            setAcceptsNull(true);
        }

        @Override
        public void write(Kryo kryo, Output output, T[] value) {
            if (value == null) {
                output.writeVarInt(0, true);
                return;
            }
            output.writeVarInt(value.length + 1, true);
            for (T element : value) {
                kryo.writeObjectOrNull(output, element, elementType);
            }
        }

        @Override
        @SuppressWarnings("unchecked")
        public T[] read(Kryo kryo, Input input, Class<? extends T[]> type) {
            int length = input.readVarInt(true) - 1;
            if (length == -1) {
                return null;
            }
            T[] array = (T[]) Array.newInstance(elementType, checkedLength(input, length, 1));
            for (int i = 0; i < array.length; i++) {
                array[i] = kryo.readObjectOrNull(input, elementType);
            }
            return array;
        }
    }
}

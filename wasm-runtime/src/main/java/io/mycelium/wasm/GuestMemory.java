package io.mycelium.wasm;

import java.nio.ByteOrder;
import org.graalvm.polyglot.Value;

/**
 * The module's exported linear memory as capability functions see it: (pointer, length) pairs of unsigned i32s,
 * bounds-checked against the memory's current size before anything is copied.
 */
final class GuestMemory {
    /** A pointer or length that does not fit the memory; the guest gets {@code INVALID}. */
    static final class OutOfBounds extends RuntimeException {
        private static final long serialVersionUID = 1L;

        OutOfBounds(String message) {
            super(message, null, false, false);
        }
    }

    private final Value memory;

    /** @param memory the exported memory, or null when the module exports none (every access is out of bounds) */
    GuestMemory(Value memory) {
        this.memory = memory != null && memory.hasBufferElements() ? memory : null;
    }

    long size() {
        return memory == null ? 0 : memory.getBufferSize();
    }

    byte[] read(int ptr, int len) {
        long p = Integer.toUnsignedLong(ptr);
        long n = Integer.toUnsignedLong(len);
        check(p, n);
        byte[] bytes = new byte[(int) n];
        if (n > 0) {
            memory.readBuffer(p, bytes, 0, (int) n);
        }
        return bytes;
    }

    void write(int ptr, byte[] bytes) {
        long p = Integer.toUnsignedLong(ptr);
        check(p, bytes.length);
        int i = 0;
        for (; i + 8 <= bytes.length; i += 8) {
            long v = 0;
            for (int k = 7; k >= 0; k--) {
                v = (v << 8) | (bytes[i + k] & 0xFF);
            }
            memory.writeBufferLong(ByteOrder.LITTLE_ENDIAN, p + i, v);
        }
        for (; i < bytes.length; i++) {
            memory.writeBufferByte(p + i, bytes[i]);
        }
    }

    private void check(long p, long n) {
        if (n > Integer.MAX_VALUE - 8 || p + n > size()) {
            throw new OutOfBounds("[" + p + ", " + (p + n) + ") is outside linear memory of " + size() + " bytes");
        }
    }
}

package io.mycelium.wasm.binary;

import java.io.ByteArrayOutputStream;

/** Writes LEB128 integers, the binary format's variable-length encoding: 7 bits a byte, high bit set on all but the last. */
final class Leb128 {
    private Leb128() {}

    static void writeU32(ByteArrayOutputStream out, long value) {
        if (value < 0 || value > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("not a u32: " + value);
        }
        do {
            int b = (int) (value & 0x7F);
            value >>>= 7;
            out.write(value != 0 ? b | 0x80 : b);
        } while (value != 0);
    }

    static void writeS64(ByteArrayOutputStream out, long value) {
        while (true) {
            int b = (int) (value & 0x7F);
            value >>= 7;
            boolean done = (value == 0 && (b & 0x40) == 0) || (value == -1 && (b & 0x40) != 0);
            out.write(done ? b : b | 0x80);
            if (done) {
                return;
            }
        }
    }

    static void writeName(ByteArrayOutputStream out, String name) {
        byte[] utf8 = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        writeU32(out, utf8.length);
        out.writeBytes(utf8);
    }
}

package io.mycelium.wasm.binary;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A cursor over a module's bytes that decodes the binary format's primitives: bytes, LEB128 integers and names. Every
 * read is bounds-checked against {@code end}; running past it is a {@link MalformedModuleException} naming the offset.
 */
final class ByteReader {
    private final byte[] bytes;
    private int pos;
    private int end;

    ByteReader(byte[] bytes, int pos, int end) {
        this.bytes = bytes;
        this.pos = pos;
        this.end = end;
    }

    int pos() {
        return pos;
    }

    int end() {
        return end;
    }

    boolean atEnd() {
        return pos >= end;
    }

    /** Narrows the readable range to {@code [pos, newEnd)}; returns the old end. */
    int limit(int newEnd) throws MalformedModuleException {
        if (newEnd > end || newEnd < pos) {
            throw new MalformedModuleException(pos, "length " + (newEnd - pos) + " runs past the enclosing section");
        }
        int old = end;
        end = newEnd;
        return old;
    }

    void restoreLimit(int oldEnd) {
        end = oldEnd;
    }

    int u8() throws MalformedModuleException {
        if (pos >= end) {
            throw new MalformedModuleException(pos, "unexpected end of section");
        }
        return bytes[pos++] & 0xFF;
    }

    int peek() throws MalformedModuleException {
        if (pos >= end) {
            throw new MalformedModuleException(pos, "unexpected end of section");
        }
        return bytes[pos] & 0xFF;
    }

    void skip(int n) throws MalformedModuleException {
        if (n < 0 || n > end - pos) {
            throw new MalformedModuleException(pos, "length " + n + " runs past the end of its section");
        }
        pos += n;
    }

    /** An unsigned LEB128 of at most 32 bits. */
    long u32() throws MalformedModuleException {
        int start = pos;
        long result = 0;
        for (int shift = 0; ; shift += 7) {
            int b = u8();
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                if (shift == 28 && (b & 0x70) != 0) {
                    throw new MalformedModuleException(start, "integer too large for u32");
                }
                return result;
            }
            if (shift >= 28) {
                throw new MalformedModuleException(start, "integer representation too long for u32");
            }
        }
    }

    /** An unsigned LEB128 of at most 32 bits that must also fit a Java int (counts, lengths, indices). */
    int index() throws MalformedModuleException {
        int start = pos;
        long v = u32();
        if (v > Integer.MAX_VALUE) {
            throw new MalformedModuleException(start, "count or index too large: " + v);
        }
        return (int) v;
    }

    /** Skips a signed LEB128 of at most {@code bits} bits. */
    void skipSigned(int bits) throws MalformedModuleException {
        int start = pos;
        int maxBytes = (bits + 6) / 7;
        for (int i = 0; i < maxBytes; i++) {
            if ((u8() & 0x80) == 0) {
                return;
            }
        }
        throw new MalformedModuleException(start, "integer representation too long for s" + bits);
    }

    /** A signed LEB128 of at most 64 bits. */
    long s64() throws MalformedModuleException {
        int start = pos;
        long result = 0;
        int shift = 0;
        int b;
        do {
            if (shift >= 70) {
                throw new MalformedModuleException(start, "integer representation too long for s64");
            }
            b = u8();
            result |= (long) (b & 0x7F) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        if (shift < 64 && (b & 0x40) != 0) {
            result |= -1L << shift;
        }
        return result;
    }

    /** A name: a u32 length and that many bytes of UTF-8. */
    String name() throws MalformedModuleException {
        int start = pos;
        int len = index();
        if (len > end - pos) {
            throw new MalformedModuleException(start, "name of " + len + " bytes runs past the end of its section");
        }
        try {
            String s = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, pos, len))
                    .toString();
            pos += len;
            return s;
        } catch (CharacterCodingException e) {
            throw new MalformedModuleException(start, "name is not valid UTF-8");
        }
    }
}

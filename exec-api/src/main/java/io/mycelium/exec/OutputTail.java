package io.mycelium.exec;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** The last {@code limit} bytes of one output stream: what a unary response carries. */
final class OutputTail {
    private final byte[] ring;
    private long written;

    OutputTail(int limit) {
        this.ring = new byte[Math.max(0, limit)];
    }

    void append(byte[] bytes) {
        int n = ring.length;
        if (n == 0) {
            written += bytes.length;
            return;
        }
        int from = Math.max(0, bytes.length - n);
        for (int i = from; i < bytes.length; i++) {
            ring[(int) ((written + i) % n)] = bytes[i];
        }
        written += bytes.length;
    }

    boolean truncated() {
        return written > ring.length;
    }

    byte[] bytes() {
        int n = ring.length;
        if (written <= n) {
            byte[] out = new byte[(int) written];
            System.arraycopy(ring, 0, out, 0, out.length);
            return out;
        }
        byte[] out = new byte[n];
        int start = (int) (written % n);
        System.arraycopy(ring, start, out, 0, n - start);
        System.arraycopy(ring, 0, out, n - start, start);
        return out;
    }

    /** The bytes as text when they are valid UTF-8, else null. */
    static String textOrNull(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    static String base64OrNull(byte[] bytes, String text) {
        return text == null ? Base64.getEncoder().encodeToString(bytes) : null;
    }
}

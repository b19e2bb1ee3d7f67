package io.mycelium.function.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The worker's framing, the same as the Wasm worker's: a 4-byte big-endian length, then that many bytes of one UTF-8
 * JSON object.
 *
 * <pre>
 * +----------------+---------------------------+
 * | u32 length (BE)| length bytes: JSON object |
 * +----------------+---------------------------+
 * </pre>
 */
final class Frames {
    /** The largest frame either side accepts. */
    static final int MAX_FRAME = 64 << 20;

    static final ObjectMapper JSON = new ObjectMapper();

    private final DataInputStream in;
    private final OutputStream out;

    Frames(InputStream in, OutputStream out) {
        this.in = new DataInputStream(in);
        this.out = out;
    }

    /** The next frame, or null at end of input between frames. */
    ObjectNode read() throws IOException {
        int length;
        try {
            length = in.readInt();
        } catch (EOFException e) {
            return null;
        }
        if (length < 2 || length > MAX_FRAME) {
            throw new IOException("frame length " + length + " is outside 2.." + MAX_FRAME);
        }
        byte[] body = in.readNBytes(length);
        if (body.length < length) {
            throw new IOException("input ended inside a frame of " + length + " bytes");
        }
        if (!(JSON.readTree(body) instanceof ObjectNode frame)) {
            throw new IOException("a frame must be one JSON object");
        }
        return frame;
    }

    /** Writes one frame; safe to call from several threads. */
    void write(ObjectNode frame) throws IOException {
        byte[] body = JSON.writeValueAsBytes(frame);
        if (body.length > MAX_FRAME) {
            throw new IOException("a frame of " + body.length + " bytes is over the limit of " + MAX_FRAME);
        }
        synchronized (out) {
            out.write(new byte[] {
                (byte) (body.length >>> 24), (byte) (body.length >>> 16), (byte) (body.length >>> 8), (byte) body.length
            });
            out.write(body);
            out.flush();
        }
    }
}

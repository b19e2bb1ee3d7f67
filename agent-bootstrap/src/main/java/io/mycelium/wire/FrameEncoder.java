package io.mycelium.wire;

/** Encodes frames to bytes: the header of {@link Frame} followed by the payload. */
public final class FrameEncoder {
    private FrameEncoder() {}

    /**
     * Encodes one frame into a new array.
     *
     * @throws WireProtocolException when the payload is empty or longer than {@code maxFrameLength}
     */
    public static byte[] encode(int streamId, byte[] payload, int maxFrameLength) {
        if (payload.length == 0 || payload.length > maxFrameLength) {
            throw new WireProtocolException(
                    -1,
                    "refusing to send a frame of " + payload.length + " bytes on stream "
                            + Integer.toUnsignedString(streamId) + " (limit " + maxFrameLength + ")");
        }
        byte[] out = new byte[Frame.HEADER_LENGTH + payload.length];
        writeHeader(out, streamId, payload.length);
        System.arraycopy(payload, 0, out, Frame.HEADER_LENGTH, payload.length);
        return out;
    }

    /** Writes the eight header bytes for a payload of {@code length} bytes at the start of {@code out}. */
    public static void writeHeader(byte[] out, int streamId, int length) {
        out[0] = (byte) (streamId >>> 24);
        out[1] = (byte) (streamId >>> 16);
        out[2] = (byte) (streamId >>> 8);
        out[3] = (byte) streamId;
        out[4] = (byte) (length >>> 24);
        out[5] = (byte) (length >>> 16);
        out[6] = (byte) (length >>> 8);
        out[7] = (byte) length;
    }
}

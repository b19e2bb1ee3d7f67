package io.mycelium.wire;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Incremental decoder of {@link Frame}s from a byte stream. Bytes may arrive in any split: one at a time, many frames
 * at once, or a frame across many reads. The declared length is checked against the limit before the payload buffer
 * is allocated, so a hostile length costs nothing.
 *
 * <p>Optionally the stream starts with junk (a login banner, a shell's greeting) followed by the {@link #PREAMBLE};
 * bytes before the preamble are skipped and kept (up to {@link #MAX_SKIPPED} of them) for a diagnostic.
 *
 * <p>Not thread-safe: one decoder per inbound stream.
 */
public final class FrameDecoder {
    /** Marks the start of the agent's frames on its output stream. */
    public static final byte[] PREAMBLE = "\u0000MYCELIUM\u0001".getBytes(StandardCharsets.ISO_8859_1);

    /** How many junk bytes before the preamble are tolerated. */
    public static final int MAX_SKIPPED = 64 * 1024;

    private final int maxFrameLength;
    private final byte[] header = new byte[Frame.HEADER_LENGTH];
    private final ByteArrayOutputStream skipped = new ByteArrayOutputStream();
    private int preambleMatched;
    private boolean inPreamble;
    private int headerFilled;
    private int streamId;
    private byte[] payload;
    private int payloadFilled;
    private long offset;

    /**
     * @param maxFrameLength the largest payload accepted, in bytes
     * @param expectPreamble whether frames are preceded by junk and the {@link #PREAMBLE}
     */
    public FrameDecoder(int maxFrameLength, boolean expectPreamble) {
        if (maxFrameLength <= 0) {
            throw new IllegalArgumentException("maxFrameLength must be positive: " + maxFrameLength);
        }
        this.maxFrameLength = maxFrameLength;
        this.inPreamble = expectPreamble;
    }

    /**
     * Feeds bytes and hands every frame they complete to {@code sink}, in order.
     *
     * @throws WireProtocolException on a frame longer than the limit, an empty frame or too much junk
     */
    public void feed(byte[] bytes, int off, int len, Consumer<Frame> sink) {
        int end = off + len;
        int i = off;
        while (i < end) {
            if (inPreamble) {
                i = scanPreamble(bytes, i, end);
            } else if (headerFilled < Frame.HEADER_LENGTH) {
                int n = Math.min(Frame.HEADER_LENGTH - headerFilled, end - i);
                System.arraycopy(bytes, i, header, headerFilled, n);
                headerFilled += n;
                i += n;
                offset += n;
                if (headerFilled == Frame.HEADER_LENGTH) {
                    startPayload();
                }
            } else {
                int n = Math.min(payload.length - payloadFilled, end - i);
                System.arraycopy(bytes, i, payload, payloadFilled, n);
                payloadFilled += n;
                i += n;
                offset += n;
            }
            if (!inPreamble && headerFilled == Frame.HEADER_LENGTH && payloadFilled == payload.length) {
                Frame frame = new Frame(streamId, payload);
                headerFilled = 0;
                payload = null;
                payloadFilled = 0;
                sink.accept(frame);
            }
        }
    }

    /**
     * Declares the end of the input.
     *
     * @throws WireProtocolException when the input ended inside a frame or before the preamble
     */
    public void finish() {
        if (inPreamble) {
            throw new WireProtocolException(offset, "stream ended before the agent's preamble" + skippedDescription());
        }
        if (headerFilled > 0 && headerFilled < Frame.HEADER_LENGTH) {
            throw new WireProtocolException(
                    offset, "truncated frame: header has " + headerFilled + " of " + Frame.HEADER_LENGTH + " bytes");
        }
        if (payload != null) {
            throw new WireProtocolException(
                    offset,
                    "truncated frame on stream " + Integer.toUnsignedString(streamId) + ": payload has " + payloadFilled
                            + " of " + payload.length + " bytes");
        }
    }

    /** Bytes consumed so far. */
    public long offset() {
        return offset;
    }

    /** The junk skipped before the preamble, as text for a diagnostic. */
    public String skippedText() {
        return skipped.toString(StandardCharsets.UTF_8);
    }

    private String skippedDescription() {
        return skipped.size() == 0 ? "" : "; it printed instead: " + abbreviate(skippedText());
    }

    private static String abbreviate(String s) {
        String oneLine = s.strip().replaceAll("\\s+", " ");
        return oneLine.length() <= 1000 ? oneLine : oneLine.substring(0, 1000) + "...";
    }

    private int scanPreamble(byte[] bytes, int i, int end) {
        while (i < end && inPreamble) {
            byte b = bytes[i++];
            offset++;
            if (b == PREAMBLE[preambleMatched]) {
                preambleMatched++;
                if (preambleMatched == PREAMBLE.length) {
                    inPreamble = false;
                }
            } else {
                // The preamble starts with a byte that occurs nowhere else in it, so a restart is a plain reset.
                skipped.write(PREAMBLE, 0, preambleMatched);
                preambleMatched = b == PREAMBLE[0] ? 1 : 0;
                if (preambleMatched == 0) {
                    skipped.write(b);
                }
                if (skipped.size() > MAX_SKIPPED) {
                    throw new WireProtocolException(
                            offset,
                            "no agent preamble within " + MAX_SKIPPED + " bytes of output" + skippedDescription());
                }
            }
        }
        return i;
    }

    private void startPayload() {
        streamId = (header[0] & 0xFF) << 24 | (header[1] & 0xFF) << 16 | (header[2] & 0xFF) << 8 | (header[3] & 0xFF);
        long length = ((long) (header[4] & 0xFF) << 24)
                | (header[5] & 0xFF) << 16
                | (header[6] & 0xFF) << 8
                | (header[7] & 0xFF);
        if (length > maxFrameLength) {
            throw new WireProtocolException(
                    offset - Frame.HEADER_LENGTH,
                    "frame on stream " + Integer.toUnsignedString(streamId) + " declares " + length
                            + " bytes, over the limit of " + maxFrameLength + " by " + (length - maxFrameLength));
        }
        if (length == 0) {
            throw new WireProtocolException(
                    offset - Frame.HEADER_LENGTH, "empty frame on stream " + Integer.toUnsignedString(streamId));
        }
        payload = new byte[(int) length];
        payloadFilled = 0;
    }
}

package io.mycelium.wire;

/**
 * One frame of the multiplexed byte stream. Stream 0 is the control stream; every other stream belongs to one
 * operation, and its id is that operation's correlation id.
 *
 * <pre>
 * +----------------+----------------+---------------------------+
 * | streamId (u32) | length (u32)   | payload (length bytes)    |
 * +----------------+----------------+---------------------------+
 *   big-endian       big-endian       one Kryo-encoded Message
 * </pre>
 *
 * @param streamId the stream the payload belongs to
 * @param payload the encoded message, never empty
 */
public record Frame(int streamId, byte[] payload) {
    /** Bytes in the header: stream id and length. */
    public static final int HEADER_LENGTH = 8;

    /** Default maximum payload length: 1 MiB. */
    public static final int DEFAULT_MAX_LENGTH = 1 << 20;

    /** The control stream. */
    public static final int CONTROL_STREAM = 0;
}

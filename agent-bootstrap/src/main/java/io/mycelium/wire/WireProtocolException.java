package io.mycelium.wire;

/**
 * A peer broke the wire protocol: a frame over the size limit, a truncated frame, an undecodable payload, a message on
 * a stream nobody opened, or more data than the granted credit. The connection that produced it must be closed.
 */
public final class WireProtocolException extends RuntimeException {
    private final long offset;

    /**
     * @param offset byte offset in the inbound stream where the violation was detected, or -1 when not applicable
     * @param reason what was wrong, for a human
     */
    public WireProtocolException(long offset, String reason) {
        this(offset, reason, null);
    }

    /** Like {@link #WireProtocolException(long, String)} with the underlying cause. */
    public WireProtocolException(long offset, String reason, Throwable cause) {
        super(offset >= 0 ? reason + " (at byte offset " + offset + ")" : reason, cause);
        this.offset = offset;
    }

    /** Byte offset in the inbound stream where the violation was detected, or -1. */
    public long offset() {
        return offset;
    }
}

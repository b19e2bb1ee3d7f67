package io.mycelium.wire;

/**
 * The receiver's side of one channel's flow control: checks the sender stays within the credit it was given, and
 * decides when consumed bytes are granted back. Grants are batched so a busy stream does not send one grant per chunk,
 * but never held back while the sender is short of credit, so a stream cannot stall on an ungranted remainder.
 * Not thread-safe: the owner of the channel calls it.
 */
public final class ReceiveWindow {
    private final long window;
    private long outstanding;
    private long pendingGrant;

    /** @param window the credit the sender starts with and the most it ever holds */
    public ReceiveWindow(long window) {
        if (window <= 0) {
            throw new IllegalArgumentException("window must be positive: " + window);
        }
        this.window = window;
        this.outstanding = window;
    }

    /**
     * Records bytes that arrived.
     *
     * @throws WireProtocolException when the sender sent more than its credit
     */
    public void received(int bytes) {
        if (bytes > outstanding) {
            throw new WireProtocolException(
                    -1, "peer sent " + bytes + " bytes with only " + outstanding + " bytes of credit");
        }
        outstanding -= bytes;
    }

    /**
     * Records bytes the consumer took.
     *
     * @return credit to grant the sender now, or 0 to wait for more consumption
     */
    public int consumed(int bytes) {
        pendingGrant += bytes;
        if (pendingGrant >= window / 4 || outstanding <= window / 2) {
            int grant = (int) pendingGrant;
            outstanding += pendingGrant;
            pendingGrant = 0;
            return grant;
        }
        return 0;
    }

    /** Credit the sender still holds. */
    public long outstanding() {
        return outstanding;
    }
}

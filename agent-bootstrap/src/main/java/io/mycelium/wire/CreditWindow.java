package io.mycelium.wire;

/**
 * The sender's side of one channel's flow control: how many bytes it may still send. The receiver grants credit as it
 * consumes; a sender without credit stops reading its source, so a slow consumer slows the producer instead of filling
 * memory. Thread-safe.
 */
public final class CreditWindow {
    private long available;
    private boolean closed;

    /** @param initial the credit granted implicitly when the stream opens */
    public CreditWindow(long initial) {
        if (initial < 0) {
            throw new IllegalArgumentException("initial credit must not be negative: " + initial);
        }
        this.available = initial;
    }

    /** Takes up to {@code max} bytes of credit without waiting; returns how many were taken, possibly 0. */
    public synchronized int tryAcquire(int max) {
        int taken = (int) Math.min(max, available);
        available -= taken;
        return taken;
    }

    /**
     * Takes between 1 and {@code max} bytes of credit, waiting until some is granted.
     *
     * @return the bytes taken, or -1 once the window is closed
     */
    public synchronized int acquire(int max) throws InterruptedException {
        while (available == 0 && !closed) {
            wait();
        }
        if (closed) {
            return -1;
        }
        return tryAcquire(max);
    }

    /**
     * Adds credit granted by the receiver.
     *
     * @throws WireProtocolException when the grant is not positive or would overflow the window
     */
    public synchronized void grant(long bytes) {
        if (bytes <= 0 || available + bytes < 0) {
            throw new WireProtocolException(-1, "invalid credit grant of " + bytes + " bytes");
        }
        available += bytes;
        notifyAll();
    }

    /** Wakes every waiting sender; they get -1 from then on. */
    public synchronized void close() {
        closed = true;
        notifyAll();
    }

    /** Credit currently available. */
    public synchronized long available() {
        return available;
    }
}

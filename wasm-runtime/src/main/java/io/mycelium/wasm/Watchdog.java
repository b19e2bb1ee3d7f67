package io.mycelium.wasm;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * Stops calls that run past their deadline: one daemon thread for the runtime. Watching a call costs two concurrent
 * set operations and, usually, no wake-up: the thread sleeps until the earliest deadline it knows of (or {@link
 * #IDLE_NANOS} at most) and is woken only when a new call's deadline comes sooner. A scheduled executor would wake
 * its thread on most schedule and cancel pairs, which costs more than a small Wasm call itself.
 *
 * <p>The timeout action runs on the watchdog thread; it must be quick (it starts the cancellation elsewhere).
 */
final class Watchdog implements AutoCloseable {
    /** The longest the thread sleeps without a deadline to watch: 100 ms. */
    static final long IDLE_NANOS = 100_000_000L;

    /** A watched call. */
    static final class Watch {
        private final long deadline;
        private final Runnable onTimeout;

        private Watch(long deadline, Runnable onTimeout) {
            this.deadline = deadline;
            this.onTimeout = onTimeout;
        }
    }

    private final Set<Watch> watched = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    private volatile long plannedWake = Long.MIN_VALUE;
    private volatile boolean closed;

    Watchdog() {
        thread = new Thread(this::run, "mycelium-wasm-watchdog");
        thread.setDaemon(true);
        thread.start();
    }

    /** Runs {@code onTimeout} once {@code timeout} has passed, unless {@link #done} comes first. */
    Watch watch(Duration timeout, Runnable onTimeout) {
        long now = System.nanoTime();
        Watch w = new Watch(now + Math.min(timeout.toNanos(), Long.MAX_VALUE / 4), onTimeout);
        watched.add(w);
        if (w.deadline - plannedWake < 0) {
            LockSupport.unpark(thread);
        }
        return w;
    }

    void done(Watch w) {
        watched.remove(w);
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
    }

    private void run() {
        while (!closed) {
            plannedWake = Long.MIN_VALUE; // scanning: watch() need not wake us
            long now = System.nanoTime();
            long next = scan(now, now + IDLE_NANOS);
            plannedWake = next;
            // A watch added during the scan either shows up here, or its watch() sees plannedWake and wakes us.
            next = scan(System.nanoTime(), next);
            plannedWake = next;
            long sleep = next - System.nanoTime();
            if (sleep > 0) {
                LockSupport.parkNanos(this, sleep);
            }
        }
    }

    /** Fires the watches due at {@code now}; returns the earliest remaining deadline, or {@code next} when later. */
    private long scan(long now, long next) {
        for (Watch w : watched) {
            if (w.deadline - now <= 0) {
                if (watched.remove(w)) {
                    try {
                        w.onTimeout.run();
                    } catch (RuntimeException e) {
                        // The action only flags and starts a cancellation; nothing here may stop the watchdog.
                    }
                }
            } else if (w.deadline - next < 0) {
                next = w.deadline;
            }
        }
        return next;
    }
}

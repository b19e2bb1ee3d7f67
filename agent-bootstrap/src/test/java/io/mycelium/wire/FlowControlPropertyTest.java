package io.mycelium.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Property: a sender using {@link CreditWindow} and a receiver using {@link ReceiveWindow}, connected by a link that
 * delays chunks and grants (each direction in order, like TCP), never hold more than the window between them, the
 * receiver never sees an overrun, every byte arrives in order, and once the consumer has taken everything the sender
 * has credit again: the stream cannot stall.
 */
class FlowControlPropertyTest {
    private static final int[] WINDOWS = {1, 2, 3, 4, 5, 7, 8, 64, 1000, 65536};

    static IntStream seeds() {
        return IntStream.rangeClosed(1, 200);
    }

    private record InFlight<T>(T value, long deliverAt) {}

    /** One simulated channel: sender, link, receiver and consumer, driven one step at a time. */
    private static final class Simulation {
        final String context;
        final Random random;
        final long window;
        final byte[] source;
        final int maxChunk;
        final int maxDelay;
        final CreditWindow credit;
        final ReceiveWindow receive;
        final ArrayDeque<InFlight<byte[]>> chunks = new ArrayDeque<>();
        final ArrayDeque<InFlight<Integer>> grants = new ArrayDeque<>();
        final ArrayDeque<byte[]> unconsumed = new ArrayDeque<>();
        final ByteArrayOutputStream consumed = new ByteArrayOutputStream();
        long now;
        int sent;
        long bytesInFlight;
        long grantsInFlight;
        long unconsumedBytes;
        int unconsumedOffset;

        Simulation(int seed) {
            random = new Random(seed);
            window = random.nextInt(3) == 0 ? 1 + random.nextInt(1 << 20) : WINDOWS[random.nextInt(WINDOWS.length)];
            source = new byte[random.nextInt(200_000)];
            random.nextBytes(source);
            maxChunk = 1 + random.nextInt(random.nextBoolean() ? 16 : (int) Math.min(2 * window + 1, 64 * 1024));
            maxDelay = random.nextInt(20);
            credit = new CreditWindow(window);
            receive = new ReceiveWindow(window);
            context = "seed " + seed + " (window " + window + ", " + source.length + " bytes, chunks up to " + maxChunk
                    + ", delays up to " + maxDelay + ")";
        }

        long delay() {
            return maxDelay == 0 ? 0 : random.nextInt(maxDelay + 1);
        }

        void send() {
            int want = Math.min(source.length - sent, 1 + random.nextInt(maxChunk));
            if (want == 0) {
                return;
            }
            int n = credit.tryAcquire(want);
            assertThat(n).as(context).isBetween(0, want);
            if (n > 0) {
                chunks.add(new InFlight<>(Arrays.copyOfRange(source, sent, sent + n), now + delay()));
                sent += n;
                bytesInFlight += n;
            }
        }

        boolean deliverChunk() {
            InFlight<byte[]> head = chunks.peek();
            if (head == null || head.deliverAt() > now) {
                return false;
            }
            chunks.remove();
            try {
                receive.received(head.value().length);
            } catch (WireProtocolException e) {
                throw new AssertionError(context + ": receiver saw an overrun at step " + now, e);
            }
            bytesInFlight -= head.value().length;
            unconsumed.add(head.value());
            unconsumedBytes += head.value().length;
            return true;
        }

        void consume(long max) {
            long left = Math.min(max, unconsumedBytes);
            int total = 0;
            while (left > 0) {
                byte[] head = unconsumed.peek();
                int n = (int) Math.min(left, head.length - unconsumedOffset);
                consumed.write(head, unconsumedOffset, n);
                unconsumedOffset += n;
                left -= n;
                total += n;
                if (unconsumedOffset == head.length) {
                    unconsumed.remove();
                    unconsumedOffset = 0;
                }
            }
            unconsumedBytes -= total;
            if (total > 0 || random.nextInt(4) == 0) {
                int grant = receive.consumed(total);
                assertThat(grant).as(context).isGreaterThanOrEqualTo(0);
                if (grant > 0) {
                    grants.add(new InFlight<>(grant, now + delay()));
                    grantsInFlight += grant;
                }
            }
        }

        boolean deliverGrant() {
            InFlight<Integer> head = grants.peek();
            if (head == null || head.deliverAt() > now) {
                return false;
            }
            grants.remove();
            credit.grant(head.value());
            grantsInFlight -= head.value();
            return true;
        }

        void checkInvariants() {
            // What the brief calls the window: bytes on the wire plus bytes the receiver holds never exceed it.
            assertThat(bytesInFlight + unconsumedBytes)
                    .as("%s at step %d: in flight + unconsumed", context, now)
                    .isLessThanOrEqualTo(window);
            // Credit is conserved: the receiver's view of the sender's credit is the sender's credit plus what is
            // on its way in either direction; the rest is consumed bytes not granted back yet, never negative.
            assertThat(credit.available() + bytesInFlight + grantsInFlight)
                    .as("%s at step %d: sender credit + in flight", context, now)
                    .isEqualTo(receive.outstanding());
            assertThat(window - receive.outstanding() - unconsumedBytes)
                    .as("%s at step %d: consumed but not granted", context, now)
                    .isBetween(0L, window);
            assertThat(credit.available()).as(context).isBetween(0L, window);
            // Every byte consumed so far is the source's prefix.
            assertThat(consumed.size()).as(context).isLessThanOrEqualTo(sent);
        }

        void step() {
            now++;
            switch (random.nextInt(5)) {
                case 0, 1 -> send();
                case 2 -> deliverChunk();
                case 3 -> consume(random.nextInt(4) == 0 ? Long.MAX_VALUE : random.nextInt(maxChunk + 1));
                default -> deliverGrant();
            }
            checkInvariants();
        }

        boolean done() {
            return consumed.size() == source.length;
        }

        /** Everything arrives and the consumer takes all of it; returns false when nothing moves any more. */
        boolean drainRound() {
            boolean moved = false;
            now += maxDelay;
            while (deliverChunk()) {
                moved = true;
                checkInvariants();
            }
            if (unconsumedBytes > 0) {
                consume(Long.MAX_VALUE);
                moved = true;
                checkInvariants();
            }
            now += maxDelay;
            while (deliverGrant()) {
                moved = true;
                checkInvariants();
            }
            int before = sent;
            while (sent < source.length && credit.available() > 0) {
                send();
                checkInvariants();
            }
            return moved || sent > before;
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void creditNeverExceedsTheWindowAndTheStreamNeverStalls(int seed) {
        Simulation sim = new Simulation(seed);
        for (int i = 0; i < 3000 && !sim.done(); i++) {
            sim.step();
        }
        // The consumer now keeps up: the stream must finish without a stall.
        for (int rounds = 0; !sim.done(); rounds++) {
            if (!sim.drainRound()) {
                fail(
                        "%s: stalled with %d of %d bytes consumed, sender credit %d, receiver outstanding %d",
                        sim.context,
                        sim.consumed.size(),
                        sim.source.length,
                        sim.credit.available(),
                        sim.receive.outstanding());
            }
            assertThat(rounds).as(sim.context).isLessThan(sim.source.length + 10);
        }
        assertThat(sim.consumed.toByteArray()).as(sim.context).isEqualTo(sim.source);
        while (sim.drainRound()) {
            // let the last grants arrive
        }
        // Quiescent: the sender got back all its credit except a batch held back below a quarter of the window.
        assertThat(sim.credit.available()).as(sim.context).isEqualTo(sim.receive.outstanding());
        assertThat(sim.window - sim.credit.available())
                .as("%s: credit not granted back at the end", sim.context)
                .isLessThan(Math.max(1, sim.window / 4));
    }

    @Test
    void receiverRefusesMoreThanTheCreditItGave() {
        ReceiveWindow receive = new ReceiveWindow(100);
        receive.received(60);
        assertThatThrownBy(() -> receive.received(41))
                .isInstanceOf(WireProtocolException.class)
                .hasMessageContaining("peer sent 41 bytes with only 40 bytes of credit");
        receive.received(40);
        assertThat(receive.outstanding()).isZero();
        // Consuming all of it with nothing outstanding grants it back at once.
        assertThat(receive.consumed(100)).isEqualTo(100);
        assertThat(receive.outstanding()).isEqualTo(100);
    }

    @Test
    void smallConsumptionIsBatchedUntilAQuarterOrUntilTheSenderRunsLow() {
        ReceiveWindow receive = new ReceiveWindow(100);
        receive.received(10);
        assertThat(receive.consumed(10))
                .as("10 < 25 and the sender still holds 90")
                .isZero();
        receive.received(50);
        assertThat(receive.consumed(5)).as("the sender holds only 40 <= 50").isEqualTo(15);
        assertThat(receive.outstanding()).isEqualTo(55);
        assertThat(receive.consumed(24)).isZero();
        assertThat(receive.consumed(1)).isEqualTo(25);
    }

    @Test
    void invalidGrantsAreProtocolErrors() {
        CreditWindow credit = new CreditWindow(10);
        assertThatThrownBy(() -> credit.grant(0)).isInstanceOf(WireProtocolException.class);
        assertThatThrownBy(() -> credit.grant(-5))
                .isInstanceOf(WireProtocolException.class)
                .hasMessageContaining("invalid credit grant of -5 bytes");
        assertThatThrownBy(() -> credit.grant(Long.MAX_VALUE)).isInstanceOf(WireProtocolException.class);
        assertThat(credit.available()).isEqualTo(10);
        assertThat(credit.tryAcquire(4)).isEqualTo(4);
        assertThat(credit.tryAcquire(100)).isEqualTo(6);
        assertThat(credit.tryAcquire(1)).isZero();
    }

    /** Runs {@code acquire(max)} on a new thread; {@link #result()} waits for it. */
    private static final class Acquirer {
        private final Thread thread;
        private final AtomicReference<Object> result = new AtomicReference<>();

        Acquirer(CreditWindow credit, int max) {
            thread = new Thread(
                    () -> {
                        try {
                            result.set(credit.acquire(max));
                        } catch (InterruptedException e) {
                            result.set(e);
                        }
                    },
                    "acquirer");
            thread.setDaemon(true);
            thread.start();
        }

        /** Waits until the thread blocks in {@code wait()}: it found no credit. */
        Acquirer awaitBlocked() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (thread.getState() != Thread.State.WAITING) {
                assertThat(thread.isAlive())
                        .as("acquire returned %s instead of waiting", result.get())
                        .isTrue();
                assertThat(System.nanoTime()).as("acquire never blocked").isLessThan(deadline);
                Thread.sleep(1);
            }
            return this;
        }

        Object result() throws InterruptedException {
            thread.join(Duration.ofSeconds(5).toMillis());
            assertThat(thread.isAlive()).as("acquire still blocked").isFalse();
            return result.get();
        }

        boolean finished() {
            return !thread.isAlive();
        }
    }

    @Test
    @Timeout(20)
    void blockingAcquireWakesOnGrant() throws InterruptedException {
        CreditWindow credit = new CreditWindow(0);
        Acquirer acquirer = new Acquirer(credit, 10).awaitBlocked();
        credit.grant(3);
        assertThat(acquirer.result()).isEqualTo(3);
        assertThat(credit.available()).isZero();

        acquirer = new Acquirer(credit, 10).awaitBlocked();
        credit.grant(50);
        assertThat(acquirer.result()).isEqualTo(10);
        assertThat(credit.available()).isEqualTo(40);
        // With credit available acquire does not wait.
        assertThat(credit.acquire(100)).isEqualTo(40);
    }

    @Test
    @Timeout(20)
    void aGrantSmallerThanTheWaitersLeavesTheOthersWaiting() throws InterruptedException {
        CreditWindow credit = new CreditWindow(0);
        List<Acquirer> acquirers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            acquirers.add(new Acquirer(credit, 5).awaitBlocked());
        }
        credit.grant(5);
        // Exactly one waiter gets the 5 bytes; the others go back to waiting.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (acquirers.stream().filter(Acquirer::finished).count() < 1) {
            assertThat(System.nanoTime()).as("nobody woke up").isLessThan(deadline);
            Thread.sleep(1);
        }
        for (Acquirer a : acquirers) {
            if (!a.finished()) {
                a.awaitBlocked();
            }
        }
        assertThat(acquirers.stream().filter(Acquirer::finished).count()).isEqualTo(1);
        credit.close();
        List<Object> results = new ArrayList<>();
        for (Acquirer a : acquirers) {
            results.add(a.result());
        }
        assertThat(results).containsExactlyInAnyOrder(5, -1, -1);
    }

    @Test
    @Timeout(20)
    void closeWakesBlockedAcquireWithMinusOne() throws InterruptedException {
        CreditWindow credit = new CreditWindow(0);
        Acquirer acquirer = new Acquirer(credit, 10).awaitBlocked();
        credit.close();
        assertThat(acquirer.result()).isEqualTo(-1);
        // Closed stays closed, even with credit.
        credit.grant(7);
        assertThat(credit.acquire(10)).isEqualTo(-1);
    }

    @Test
    @Timeout(20)
    void interruptedAcquireThrows() throws InterruptedException {
        CreditWindow credit = new CreditWindow(0);
        Acquirer acquirer = new Acquirer(credit, 10).awaitBlocked();
        acquirer.thread.interrupt();
        assertThat(acquirer.result()).isInstanceOf(InterruptedException.class);
        assertThat(credit.available()).isZero();
    }
}

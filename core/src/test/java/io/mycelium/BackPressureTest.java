package io.mycelium;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A consumer that stops reading stops the remote process; memory stays flat on both sides. */
class BackPressureTest {
    private static final long TWO_GIB = 2L << 30;
    private static final long MIB = 1 << 20;

    private Mycelium mycelium;
    private Context local;

    @BeforeEach
    void start() {
        mycelium = Mycelium.standalone();
        // A small agent heap: an agent that buffered instead of applying back-pressure would die of it.
        local = mycelium.open(Session.local(List.of("-Xmx48m")));
    }

    @AfterEach
    void stop() {
        mycelium.close();
    }

    @Test
    void stalledConsumerStopsTheProcessAndMemoryStaysFlat() throws Exception {
        long agentPid = local.ensureAgent()
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS)
                .pid();
        CompletableFuture<Void> gate = new CompletableFuture<>();
        AtomicLong delivered = new AtomicLong();
        AtomicLong processPid = new AtomicLong();
        var total = local.procStream(List.of("head", "-c", Long.toString(TWO_GIB), "/dev/zero"), ExecOptions.defaults())
                .map(out -> {
                    if (out instanceof ExecOutput.Started s) {
                        processPid.set(s.pid());
                    } else if (out instanceof ExecOutput.Stdout o) {
                        delivered.addAndGet(o.bytes().size());
                    }
                    return out;
                })
                .mapAsync(1, out -> gate.thenApply(open -> out))
                .runWith(
                        Sink.fold(
                                0L,
                                (sum, out) -> out instanceof ExecOutput.Stdout o
                                        ? sum + o.bytes().size()
                                        : sum),
                        mycelium.system())
                .toCompletableFuture();

        assertThat(ProcessProbe.waitFor(() -> processPid.get() > 0, java.time.Duration.ofSeconds(10)))
                .isTrue();
        Thread.sleep(1500);
        long writtenWhileStalled = ProcessProbe.bytesWritten(processPid.get());
        Thread.sleep(500);
        assertThat(ProcessProbe.bytesWritten(processPid.get()))
                .as("the process is blocked on its pipe")
                .isEqualTo(writtenWhileStalled);
        // One credit window on each side plus a few stream buffers, never gigabytes.
        assertThat(writtenWhileStalled).isLessThan(8 * MIB);
        assertThat(delivered.get()).isLessThan(4 * MIB);

        long maxAgentRss = 0;
        gate.complete(null);
        while (!total.isDone()) {
            maxAgentRss = Math.max(maxAgentRss, ProcessProbe.alive(agentPid) ? ProcessProbe.rss(agentPid) : 0);
            Thread.sleep(100);
        }
        assertThat(total.get()).isEqualTo(TWO_GIB);
        assertThat(maxAgentRss).as("agent RSS while streaming 2 GiB").isLessThan(160 * MIB);
        System.gc();
        Runtime rt = Runtime.getRuntime();
        assertThat(rt.totalMemory() - rt.freeMemory())
                .as("controller heap after the stream")
                .isLessThan(256 * MIB);
    }
}

package io.mycelium;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ConcurrencyAndCancelTest {
    static Mycelium mycelium;
    static Context local;

    @BeforeAll
    static void start() {
        mycelium = Mycelium.standalone();
        local = mycelium.open(Session.local());
    }

    @AfterAll
    static void stop() {
        mycelium.close();
    }

    @Test
    void fiftyConcurrentExecsOnOneConnectionEachGetTheirOwnOutput() throws Exception {
        List<CompletableFuture<ExecResult>> runs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            runs.add(local.procExec(
                    List.of("sh", "-c", "sleep 0.2; head -c 100000 /dev/zero | tr '\\0' x; echo \" $N\"; exit $N"),
                    ExecOptions.defaults().withEnv("N", Integer.toString(i))));
        }
        for (int i = 0; i < 50; i++) {
            ExecResult r = runs.get(i).get(60, TimeUnit.SECONDS);
            assertThat(r.exitCode()).isEqualTo(i);
            assertThat(r.stdout()).hasSize(100_000 + 2 + Integer.toString(i).length());
            assertThat(r.stdoutText()).endsWith(" " + i + "\n");
        }
    }

    @Test
    void cancellingTheFutureKillsTheWholeProcessTree() throws Exception {
        var marker = "mycelium-cancel-" + System.nanoTime();
        CompletableFuture<ExecResult> run =
                local.procExec(List.of("sh", "-c", "sleep 301 & sleep 302; : " + marker), ExecOptions.defaults());
        // The shell is visible before it has started both sleeps: wait for the whole tree.
        assertThat(ProcessProbe.waitFor(
                        () -> !pidsOf(marker).isEmpty()
                                && descendantsOf(pidsOf(marker).get(0)).size() >= 2,
                        Duration.ofSeconds(10)))
                .isTrue();
        List<Long> tree = descendantsOf(pidsOf(marker).get(0));
        assertThat(tree).hasSizeGreaterThanOrEqualTo(2);
        run.cancel(true);
        for (long pid : tree) {
            assertThat(ProcessProbe.waitFor(() -> !ProcessProbe.alive(pid), Duration.ofSeconds(3)))
                    .as("pid %d outlived the cancel", pid)
                    .isTrue();
        }
    }

    @Test
    void cancellingTheStreamKillsTheProcess() throws Exception {
        CompletableFuture<Long> pid = new CompletableFuture<>();
        local.procStream(List.of("sh", "-c", "while :; do echo y; sleep 0.01; done"), ExecOptions.defaults())
                .map(out -> {
                    if (out instanceof ExecOutput.Started s) {
                        pid.complete(s.pid());
                    }
                    return out;
                })
                .take(5)
                .runWith(Sink.ignore(), mycelium.system())
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        long p = pid.get();
        assertThat(ProcessProbe.waitFor(() -> !ProcessProbe.alive(p), Duration.ofSeconds(3)))
                .isTrue();
    }

    private static List<Long> pidsOf(String marker) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info()
                        .arguments()
                        .map(a -> String.join(" ", a).contains(marker))
                        .orElse(false))
                .map(ProcessHandle::pid)
                .toList();
    }

    private static List<Long> descendantsOf(long pid) {
        List<Long> all = new ArrayList<>(List.of(pid));
        ProcessHandle.of(pid).ifPresent(p -> p.descendants().forEach(d -> all.add(d.pid())));
        return all;
    }
}

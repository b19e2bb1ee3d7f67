package io.mycelium;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Killing the agent fails what runs on it fast, leaves no process behind, and the next call reconnects. */
class ConnectionLossTest {
    private Mycelium mycelium;
    private Context context;

    @BeforeEach
    void start() {
        mycelium = Mycelium.standalone();
        context = mycelium.open(Session.local().named("doomed"));
    }

    @AfterEach
    void stop() {
        mycelium.close();
    }

    @Test
    void killedAgentFailsTheStreamWithinASecondAndNoChildSurvives() throws Exception {
        long agentPid = context.ensureAgent()
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS)
                .pid();
        List<Long> pids = new ArrayList<>();
        CompletableFuture<Void> firstLine = new CompletableFuture<>();
        // A shell with a background child of its own: the child is not the process the agent started.
        var stream = context.procStream(
                        List.of("sh", "-c", "sleep 300 & echo $!; while :; do echo tick; sleep 0.05; done"),
                        ExecOptions.defaults())
                .runWith(
                        Sink.foreach(out -> {
                            if (out instanceof ExecOutput.Started s) {
                                pids.add(s.pid());
                            } else if (out instanceof ExecOutput.Stdout o && !firstLine.isDone()) {
                                pids.add(Long.parseLong(o.bytes()
                                        .utf8String()
                                        .lines()
                                        .findFirst()
                                        .orElseThrow()));
                                firstLine.complete(null);
                            }
                        }),
                        mycelium.system())
                .toCompletableFuture();
        firstLine.get(10, TimeUnit.SECONDS);
        assertThat(pids).hasSize(2).allMatch(ProcessProbe::alive);

        long killedAt = System.nanoTime();
        ProcessHandle.of(agentPid).orElseThrow().destroyForcibly();
        ExecutionException failure = assertThrows(ExecutionException.class, () -> stream.get(5, TimeUnit.SECONDS));
        Duration noticed = Duration.ofNanos(System.nanoTime() - killedAt);

        assertThat(failure.getCause())
                .isInstanceOf(ConnectionLostException.class)
                .hasMessageContaining("[doomed]");
        assertThat(((MyceliumException) failure.getCause()).context()).isEqualTo("doomed");
        assertThat(noticed).isLessThan(Duration.ofSeconds(1));
        for (long pid : pids) {
            assertThat(ProcessProbe.waitFor(() -> !ProcessProbe.alive(pid), Duration.ofSeconds(3)))
                    .as("process %d survived its agent", pid)
                    .isTrue();
        }

        ExecResult again = context.procExec("echo", "back").get(30, TimeUnit.SECONDS);
        assertThat(again.stdoutText()).isEqualTo("back\n");
        assertThat(context.ensureAgent().toCompletableFuture().get().pid()).isNotEqualTo(agentPid);
    }

    @Test
    void closingStdinEndsTheAgentAndItsChildren() throws Exception {
        long agentPid = context.ensureAgent()
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS)
                .pid();
        CompletableFuture<Long> started = new CompletableFuture<>();
        context.procStream(List.of("sleep", "300"), ExecOptions.defaults())
                .runWith(
                        Sink.foreach(out -> {
                            if (out instanceof ExecOutput.Started s) {
                                started.complete(s.pid());
                            }
                        }),
                        mycelium.system());
        long sleepPid = started.get(10, TimeUnit.SECONDS);
        context.close().toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(ProcessProbe.waitFor(() -> !ProcessProbe.alive(agentPid), Duration.ofSeconds(3)))
                .isTrue();
        assertThat(ProcessProbe.waitFor(() -> !ProcessProbe.alive(sleepPid), Duration.ofSeconds(3)))
                .isTrue();
    }

    @Test
    void agentKilledMidPutLeavesNoHalfFileUnderTheRealName(@TempDir Path dir) throws Exception {
        long agentPid = context.ensureAgent()
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS)
                .pid();
        Path big = dir.resolve("big.bin");
        try (var out = Files.newOutputStream(big)) {
            byte[] block = new byte[1 << 20];
            for (int i = 0; i < 512; i++) {
                out.write(block);
            }
        }
        Path target = dir.resolve("target.bin");
        var put = context.put(big, target.toString()).toCompletableFuture();
        assertThat(ProcessProbe.waitFor(() -> partFiles(dir) > 0, Duration.ofSeconds(10)))
                .isTrue();
        ProcessHandle.of(agentPid).orElseThrow().destroyForcibly();
        ExecutionException failure = assertThrows(ExecutionException.class, () -> put.get(10, TimeUnit.SECONDS));
        assertThat(failure.getCause()).isInstanceOf(ConnectionLostException.class);
        assertThat(target).doesNotExist();
    }

    private static long partFiles(Path dir) {
        try (var files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".mycelium-part"))
                    .count();
        } catch (IOException e) {
            return 0;
        }
    }
}

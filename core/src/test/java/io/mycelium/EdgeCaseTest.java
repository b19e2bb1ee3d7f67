package io.mycelium;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mycelium.wire.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Corners that broke once: each test pins a behaviour a user relies on. */
class EdgeCaseTest {
    @TempDir
    Path dir;

    private Mycelium mycelium;
    private Context local;

    @BeforeEach
    void start() {
        mycelium = Mycelium.standalone();
        local = mycelium.open(Session.local());
    }

    @AfterEach
    void stop() {
        mycelium.close();
    }

    @Test
    void aStreamFirstReadAfterTheProcessExitedStillGetsEveryChunkAndTheExit() throws Exception {
        // A consumer across the cluster (a StreamRef) may ask for the first element only after the process has
        // exited: its output waits in the stream's buffer, and must not be dropped when the operation ends.
        var publisher = local.procStream(List.of("sh", "-c", "echo one; echo two >&2"), ExecOptions.defaults())
                .runWith(
                        Sink.asPublisher(org.apache.pekko.stream.javadsl.AsPublisher.WITHOUT_FANOUT),
                        mycelium.system());
        Thread.sleep(1500);
        List<ExecOutput> chunks = Source.fromPublisher(publisher)
                .runWith(Sink.seq(), mycelium.system())
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        assertThat(chunks.get(0)).isInstanceOf(ExecOutput.Started.class);
        assertThat(chunks.get(chunks.size() - 1)).isInstanceOf(ExecOutput.Exited.class);
        assertThat(chunks).hasSize(4);
    }

    @Test
    void relativeProgramIsFoundInTheWorkingDirectory() throws Exception {
        Path script = Files.writeString(dir.resolve("run.sh"), "#!/bin/sh\necho ran in $(pwd)\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        ExecResult r = local.procExec(
                        List.of("./run.sh"), ExecOptions.defaults().withWorkDir(dir.toString()))
                .get(30, TimeUnit.SECONDS);
        assertThat(r.stdoutText()).isEqualTo("ran in " + dir + "\n");
    }

    @Test
    void oversizedRequestFailsAloneAndTheConnectionLivesOn() throws Exception {
        String huge = "x".repeat(2 << 20);
        ExecutionException e = assertThrows(
                ExecutionException.class, () -> local.procExec("echo", huge).get(30, TimeUnit.SECONDS));
        assertThat(e.getCause()).isInstanceOf(RemoteOperationException.class);
        assertThat(((MyceliumException) e.getCause()).code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(e.getCause().getMessage()).contains("too large");
        assertThat(local.procExec("echo", "still here")
                        .get(30, TimeUnit.SECONDS)
                        .stdoutText())
                .isEqualTo("still here\n");
    }

    @Test
    void failingStdinSourceStopsTheProcessAndSaysWhy() {
        Source<ByteString, ?> broken = Source.<ByteString>single(ByteString.fromString("part"))
                .concat(Source.failed(new IllegalStateException("disk gone")));
        ExecOptions options = ExecOptions.defaults().withStdin(broken);
        ExecutionException collected = assertThrows(
                ExecutionException.class,
                () -> local.procExec(List.of("cat"), options).get(30, TimeUnit.SECONDS));
        assertThat(collected.getCause())
                .hasMessageContaining("stdin source failed")
                .hasMessageContaining("disk gone");

        ExecutionException streamed = assertThrows(
                ExecutionException.class,
                () -> local.procStream(List.of("cat"), options)
                        .runWith(Sink.ignore(), mycelium.system())
                        .toCompletableFuture()
                        .get(30, TimeUnit.SECONDS));
        assertThat(streamed.getCause()).hasMessageContaining("disk gone");
    }

    @Test
    void treeOfManySmallFilesRoundTrips() throws Exception {
        Path tree = Files.createDirectories(dir.resolve("many"));
        for (int i = 0; i < 3000; i++) {
            Files.write(tree.resolve("f" + i), i % 3 == 0 ? new byte[0] : ("file " + i).getBytes());
        }
        TransferResult put = local.put(tree, dir.resolve("copy").toString()).get(60, TimeUnit.SECONDS);
        assertThat(put.entries()).isEqualTo(3001);
        local.get(dir.resolve("copy").toString(), dir.resolve("back")).get(60, TimeUnit.SECONDS);
        try (Stream<Path> files = Files.list(dir.resolve("back"))) {
            assertThat(files.count()).isEqualTo(3000);
        }
        assertThat(Files.readString(dir.resolve("back/f2999"))).isEqualTo("file 2999");
    }

    @Test
    void cancellingAPutStopsItAndLeavesNoFile() throws Exception {
        Path big = dir.resolve("big.bin");
        try (var out = Files.newOutputStream(big)) {
            byte[] block = new byte[1 << 20];
            for (int i = 0; i < 1024; i++) {
                out.write(block);
            }
        }
        Path target = dir.resolve("target.bin");
        CompletableFuture<TransferResult> put = local.put(big, target.toString());
        Thread.sleep(200);
        put.cancel(true);
        assertThat(ProcessProbe.waitFor(() -> partFiles() == 0, Duration.ofSeconds(10)))
                .as("the agent removed its partial file")
                .isTrue();
        assertThat(target).doesNotExist();
        assertThat(local.procExec("true").get(30, TimeUnit.SECONDS).exitCode()).isZero();
    }

    @Test
    void backgroundChildThatLeftItsPipesDiesWithTheAgent() throws Exception {
        String marker = "3" + (System.nanoTime() % 1000);
        ExecResult r = local.procExec("sh", "-c", "sleep 12" + marker + " >/dev/null 2>&1 & echo $!")
                .get(30, TimeUnit.SECONDS);
        long child = Long.parseLong(r.stdoutText().trim());
        assertThat(ProcessProbe.alive(child))
                .as("the background child outlives its exec")
                .isTrue();
        local.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(ProcessProbe.waitFor(() -> !ProcessProbe.alive(child), Duration.ofSeconds(5)))
                .as("but not the agent")
                .isTrue();
    }

    private long partFiles() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".mycelium-part"))
                    .count();
        } catch (java.io.IOException e) {
            return -1;
        }
    }
}

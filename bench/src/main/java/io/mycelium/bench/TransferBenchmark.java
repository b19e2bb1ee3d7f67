package io.mycelium.bench;

import io.mycelium.TransferResult;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Time to move one file of {@code sizeMiB} (256) MiB; bench/run.sh turns it into MiB/s. The file sits in the page
 * cache (written just before), so this measures the transfer path, not the disk's read speed.
 *
 * <ul>
 *   <li>{@code put}: {@code context.put(local, remote)} through the local agent: read, sha256 and 64 KiB chunks under
 *       the agent's credit on this side; sha256, write, fsync and rename on the agent's side.
 *   <li>{@code get}: {@code context.get(remote, local)}, the same in the other direction.
 *   <li>{@code anchorCatPipe}: {@code cat src | cat > dst} in {@code sh}: one pipe hop, no hashing, no fsync.
 *   <li>{@code anchorCatPipeFsync}: the same followed by {@code sync dst}, which fsyncs the file as put and get do.
 * </ul>
 *
 * <p>The controller JVM gets only a 256 MiB heap, so a transfer that buffered the whole file would fail here; the
 * agent's peak resident memory is printed at the end of each trial.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@Warmup(iterations = 2)
@Measurement(iterations = 3)
public class TransferBenchmark {

    /** Local file to the agent. */
    @Benchmark
    public TransferResult put(LocalAgent agent, TransferFiles files) {
        TransferResult result = agent.context()
                .put(files.source(), files.putTarget().toString())
                .toCompletableFuture()
                .join();
        return checked(result, files);
    }

    /** Agent's file to a local one. */
    @Benchmark
    public TransferResult get(LocalAgent agent, TransferFiles files) {
        TransferResult result = agent.context()
                .get(files.source().toString(), files.getTarget())
                .toCompletableFuture()
                .join();
        return checked(result, files);
    }

    /** {@code cat src | cat > dst}. */
    @Benchmark
    public int anchorCatPipe(TransferFiles files) throws IOException, InterruptedException {
        return shell("cat \"$1\" | cat > \"$2\"", files);
    }

    /** {@code cat src | cat > dst && sync dst}. */
    @Benchmark
    public int anchorCatPipeFsync(TransferFiles files) throws IOException, InterruptedException {
        return shell("cat \"$1\" | cat > \"$2\" && sync \"$2\"", files);
    }

    private static TransferResult checked(TransferResult result, TransferFiles files) {
        if (result.bytes() != files.size()) {
            throw new IllegalStateException("moved " + result.bytes() + " bytes, expected " + files.size());
        }
        return result;
    }

    private static int shell(String script, TransferFiles files) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(List.of(
                        "sh",
                        "-c",
                        script,
                        "sh",
                        files.source().toString(),
                        files.anchorTarget().toString()))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        int exit = process.waitFor();
        if (exit != 0 || Files.size(files.anchorTarget()) != files.size()) {
            throw new IllegalStateException("anchor " + script + " failed with exit " + exit);
        }
        return exit;
    }
}

package io.mycelium;

import io.mycelium.transport.HopProcess;
import io.mycelium.wire.Message;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamConverters;
import org.apache.pekko.util.ByteString;

/**
 * A child link's program on a parent's host, as blocking pipes for the bootstrap and the child's {@link AgentWire}.
 * Its stdout is the exec stream's output (credit is granted back to the parent's agent only as the child's reader
 * takes the bytes, so a slow child stops the program on the hop); its stdin goes out under the agent's credit. When
 * the parent's connection is lost, a read fails at once with an error naming the hop.
 */
final class ChildProcess implements HopProcess {
    /** Reads and writes wait for the other side as long as it takes: the keepalives of both contexts end dead links. */
    private static final Duration NO_TIMEOUT = Duration.ofDays(3650);

    private static final int STDERR_KEEP = 8 * 1024;

    private final String hopName;
    private final OutputStream stdin;
    private final InputStream stdout;
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();

    private ChildProcess(
            String hopName,
            Pair<OutputStream, Source<ByteString, NotUsed>> stdin,
            Source<ExecOutput, NotUsed> output,
            ActorSystem<?> system) {
        this.hopName = hopName;
        this.stdin = stdin.first();
        InputStream raw = output.mapConcat(this::onOutput)
                .watchTermination((mat, done) -> {
                    done.whenComplete((d, error) -> exit.complete(-1));
                    return mat;
                })
                .runWith(StreamConverters.asInputStream(NO_TIMEOUT), system);
        this.stdout = new HopInputStream(raw, hopName);
    }

    /** Starts {@code request} on {@code parent}'s host. */
    static ChildProcess start(Context parent, Message.ChildStart request, ActorSystem<?> system) {
        Pair<OutputStream, Source<ByteString, NotUsed>> stdin =
                StreamConverters.asOutputStream(NO_TIMEOUT).preMaterialize(system);
        return new ChildProcess(parent.name(), stdin, parent.childStream(request, stdin.second()), system);
    }

    private List<ByteString> onOutput(ExecOutput out) {
        if (out instanceof ExecOutput.Stdout o) {
            return List.of(o.bytes());
        }
        if (out instanceof ExecOutput.Stderr e) {
            keepStderr(e.bytes());
        } else if (out instanceof ExecOutput.Exited exited) {
            exit.complete(exited.exitCode());
        }
        return List.of();
    }

    private synchronized void keepStderr(ByteString bytes) {
        stderr.writeBytes(bytes.toArray());
        if (stderr.size() > 2 * STDERR_KEEP) {
            byte[] all = stderr.toByteArray();
            stderr.reset();
            stderr.write(all, all.length - STDERR_KEEP, STDERR_KEEP);
        }
    }

    @Override
    public InputStream stdout() {
        return stdout;
    }

    @Override
    public OutputStream stdin() {
        return stdin;
    }

    @Override
    public synchronized String stderr() {
        return stderr.toString(StandardCharsets.UTF_8);
    }

    @Override
    public int awaitExit(Duration limit) {
        try {
            return exit.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Override
    public void close() {
        try {
            stdin.close();
        } catch (IOException alreadyClosed) {
            // Closing stdin is only the polite way to stop it; the kill below is the sure one.
        }
        exit.orTimeout(2, TimeUnit.SECONDS).whenComplete((code, timeout) -> {
            if (timeout != null) {
                kill();
            }
        });
    }

    /** Cancels the exec stream: the parent's agent kills the program. */
    @Override
    public void kill() {
        try {
            stdin.close();
            stdout.close();
        } catch (IOException alreadyClosed) {
            // Closed either way.
        }
    }

    /** The program's stdout; a failure of the hop's connection is reported as what it is. */
    private static final class HopInputStream extends FilterInputStream {
        private final String hopName;

        HopInputStream(InputStream in, String hopName) {
            super(in);
            this.hopName = hopName;
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException e) {
                throw hopFailed(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (IOException e) {
                throw hopFailed(e);
            }
        }

        private IOException hopFailed(IOException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof ProcessStartException) {
                return new HopProcess.ProgramNotStarted(cause.getMessage(), cause);
            }
            return new IOException("the hop " + hopName + " failed: " + cause.getMessage(), cause);
        }
    }
}

package io.mycelium.cli;

import io.mycelium.Context;
import io.mycelium.ExecOptions;
import io.mycelium.ExecOutput;
import io.mycelium.FanOutSummary;
import io.mycelium.HostResult;
import io.mycelium.Mycelium;
import io.mycelium.Session;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.ActorAttributes;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * {@code exec --hosts-file}: one command on many hosts, {@code parallel} at a time, through the {@code --via} hops'
 * one connection when given. Prints every output line as {@code host | line} (stdout to stdout, stderr to stderr), a
 * host's connection failure as {@code host | mycelium: reason} on stderr, and the summary line last, on stderr.
 */
final class HostsExec {
    /** The exit status when at least one host failed. */
    static final int HOSTS_FAILED = 1;

    private final List<Session> hosts;
    private final List<String> command;
    private final ExecOptions options;
    private final int parallel;
    private final OutputStream stdout;
    private final OutputStream stderr;

    HostsExec(
            List<Session> hosts,
            List<String> command,
            ExecOptions options,
            int parallel,
            OutputStream stdout,
            OutputStream stderr) {
        this.hosts = hosts;
        this.command = command;
        this.options = options;
        this.parallel = parallel;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Runs the command everywhere; the exit status: 0 when every host succeeded, else {@link #HOSTS_FAILED}. */
    int run() throws Exception {
        try (Mycelium mycelium = Mycelium.standalone()) {
            Pair<CompletionStage<FanOutSummary>, CompletionStage<Done>> done = mycelium.fanOut(
                            hosts, ctx -> runOn(ctx.name(), ctx, mycelium), parallel)
                    .toMat(Sink.foreach(this::report), Keep.both())
                    .run(mycelium.system());
            done.second().toCompletableFuture().get();
            FanOutSummary summary = done.first().toCompletableFuture().get();
            write(stderr, summary.line() + "\n");
            return summary.allSucceeded() ? 0 : HOSTS_FAILED;
        }
    }

    private CompletionStage<ExecOutput.Exited> runOn(String host, Context ctx, Mycelium mycelium) {
        PrefixedLines out = new PrefixedLines(host, stdout);
        PrefixedLines err = new PrefixedLines(host, stderr);
        AtomicReference<ExecOutput.Exited> exit = new AtomicReference<>();
        return ctx.procStream(command, options)
                .runWith(
                        Sink.<ExecOutput>foreach(o -> {
                                    switch (o) {
                                        case ExecOutput.Stdout s ->
                                            out.accept(s.bytes().toArray());
                                        case ExecOutput.Stderr e ->
                                            err.accept(e.bytes().toArray());
                                        case ExecOutput.Exited x -> exit.set(x);
                                        case ExecOutput.Started s -> {}
                                    }
                                })
                                .withAttributes(ActorAttributes.dispatcher(
                                        ActorAttributes.IODispatcher().dispatcher())),
                        mycelium.system())
                .thenApply(finished -> {
                    out.finish();
                    err.finish();
                    if (exit.get() == null) {
                        throw new IllegalStateException("the command's output ended without its exit status");
                    }
                    return exit.get();
                });
    }

    /** A host that failed for another reason than its command's exit says why at once, beside its output. */
    private void report(HostResult<ExecOutput.Exited> result) {
        if (result.error() != null) {
            write(stderr, result.host() + " | mycelium: " + result.failure() + "\n");
        }
    }

    private static void write(OutputStream out, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        synchronized (out) {
            try {
                out.write(bytes);
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}

package io.mycelium.host;

import io.mycelium.ExecOptions;
import io.mycelium.ExecOutput;
import io.mycelium.ExecResult;
import io.mycelium.MyceliumException;
import io.mycelium.ProcessHost;
import io.mycelium.exec.OutputChunk;
import io.mycelium.wire.ErrorCode;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;

/** A cluster host for the embedded SDK: each run is an {@link HostContext.Exec} to the host's sharded context. */
final class ShardedHost implements ProcessHost {
    private final ActorSystem<?> system;
    private final EntityRef<HostContext.Command> context;
    private final String hostId;
    private final Duration askTimeout;

    ShardedHost(ActorSystem<?> system, EntityRef<HostContext.Command> context, String hostId, Duration askTimeout) {
        this.system = system;
        this.context = context;
        this.hostId = hostId;
        this.askTimeout = askTimeout;
    }

    @Override
    public String name() {
        return hostId;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException for an empty command, or options that unset or clear the agent's environment
     *     (a cluster host's runs set variables on top of it only)
     */
    @Override
    public Source<ExecOutput, NotUsed> procStream(List<String> command, ExecOptions options) {
        RunSpec spec = spec(command, options);
        Source<ByteString, ?> stdin = options.stdin();
        return Source.lazyCompletionStageSource(() -> start(spec, stdin))
                .mapMaterializedValue(ignored -> NotUsed.getInstance());
    }

    /**
     * {@inheritDoc}
     *
     * <p>Fails with {@link io.mycelium.OperationTimeoutException} when the process ran past its timeout, as {@link
     * io.mycelium.Context#procExec} does.
     */
    @Override
    public CompletableFuture<ExecResult> procExec(List<String> command, ExecOptions options) {
        Source<ExecOutput, NotUsed> output = procStream(command, options);
        CompletableFuture<ExecResult> result = new CompletableFuture<>();
        Pair<UniqueKillSwitch, CompletionStage<Collected>> run = output.viaMat(KillSwitches.single(), Keep.right())
                .toMat(Sink.fold(new Collected(options.maxCollectedBytes()), Collected::add), Keep.both())
                .run(system);
        run.second().whenComplete((collected, failure) -> {
            if (failure != null) {
                result.completeExceptionally(
                        failure instanceof CompletionException c && c.getCause() != null ? c.getCause() : failure);
            } else {
                try {
                    result.complete(collected.result());
                } catch (MyceliumException e) {
                    result.completeExceptionally(e);
                }
            }
        });
        // Cancelling the future cancels the output stream, which kills the process on the context's node.
        result.whenComplete((r, e) -> {
            if (result.isCancelled()) {
                run.first().shutdown();
            }
        });
        return result;
    }

    private static RunSpec spec(List<String> command, ExecOptions options) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("a command needs at least a program");
        }
        if (options.clearEnvironment() || !options.unsetEnvironment().isEmpty()) {
            throw new IllegalArgumentException("a cluster host's runs cannot unset or clear the agent's environment;"
                    + " set variables with ExecOptions.withEnv");
        }
        return new RunSpec(
                List.copyOf(command),
                options.environment(),
                options.workDir(),
                null,
                options.stdin() != null,
                options.timeout());
    }

    private CompletionStage<Source<ExecOutput, NotUsed>> start(RunSpec spec, Source<ByteString, ?> stdin) {
        String runId = "sdk-" + UUID.randomUUID();
        return context.<HostContext.RunReply>ask(replyTo -> new HostContext.Exec(runId, spec, replyTo), askTimeout)
                .handle((reply, failure) -> {
                    if (failure != null) {
                        return Source.failed(MyceliumException.of(
                                ErrorCode.CONNECTION_LOST,
                                hostId,
                                "the context of host " + hostId + " did not answer within " + askTimeout.toSeconds()
                                        + " s: " + failure.getMessage()));
                    }
                    return switch (reply) {
                        case HostContext.Running r -> {
                            if (r.stdin() != null) {
                                stdin.runWith(r.stdin().getSink(), system);
                            }
                            yield r.output().getSource().map(this::output);
                        }
                        case HostContext.Refused r -> Source.failed(failure(r.code(), r.message()));
                    };
                });
    }

    private ExecOutput output(OutputChunk chunk) {
        return switch (chunk) {
            case OutputChunk.Started s -> new ExecOutput.Started(s.pid());
            case OutputChunk.Stdout o -> new ExecOutput.Stdout(ByteString.fromArray(o.bytes()));
            case OutputChunk.Stderr e -> new ExecOutput.Stderr(ByteString.fromArray(e.bytes()));
            case OutputChunk.Exited x -> new ExecOutput.Exited(x.exitCode(), x.signal(), x.timedOut(), x.duration());
            case OutputChunk.Failed f -> throw failure(f.code(), f.message());
        };
    }

    /** The typed exception for a code the context reported (an {@link ErrorCode} in lower case, or its own). */
    private MyceliumException failure(String code, String message) {
        ErrorCode errorCode = switch (code) {
            case "not_found" -> ErrorCode.UNKNOWN_HOST;
            case "unavailable" -> ErrorCode.CONNECTION_LOST;
            default -> {
                try {
                    yield ErrorCode.valueOf(code.toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    yield ErrorCode.INTERNAL;
                }
            }
        };
        String prefix = "[" + hostId + "] ";
        return MyceliumException.of(
                errorCode, hostId, message.startsWith(prefix) ? message.substring(prefix.length()) : message);
    }

    /** A run's output gathered for {@link #procExec}, each stream up to the collection limit. */
    private final class Collected {
        private final int limit;
        private final ByteStringBuilder stdout = new ByteStringBuilder();
        private final ByteStringBuilder stderr = new ByteStringBuilder();
        private long pid;
        private boolean truncated;
        private ExecOutput.Exited exited;

        Collected(int limit) {
            this.limit = limit;
        }

        Collected add(ExecOutput out) {
            switch (out) {
                case ExecOutput.Started s -> pid = s.pid();
                case ExecOutput.Stdout o -> append(stdout, o.bytes());
                case ExecOutput.Stderr e -> append(stderr, e.bytes());
                case ExecOutput.Exited x -> exited = x;
            }
            return this;
        }

        private void append(ByteStringBuilder to, ByteString bytes) {
            int keep = Math.max(0, Math.min(bytes.size(), limit - to.length()));
            truncated |= keep < bytes.size();
            to.append(bytes.take(keep));
        }

        ExecResult result() {
            if (exited == null) {
                throw MyceliumException.of(
                        ErrorCode.CONNECTION_LOST, hostId, "the output of process " + pid + " ended without an exit");
            }
            if (exited.timedOut()) {
                throw MyceliumException.of(
                        ErrorCode.TIMEOUT,
                        hostId,
                        "process " + pid + " ran past its timeout and was killed after " + exited.duration());
            }
            return new ExecResult(
                    pid,
                    exited.exitCode(),
                    exited.signal(),
                    stdout.result().toArray(),
                    stderr.result().toArray(),
                    truncated,
                    exited.duration());
        }
    }
}

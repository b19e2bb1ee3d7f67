package io.mycelium.host;

import io.mycelium.Context;
import io.mycelium.ExecOptions;
import io.mycelium.ExecOutput;
import io.mycelium.Mycelium;
import io.mycelium.MyceliumException;
import io.mycelium.exec.Execution;
import io.mycelium.exec.OutputChunk;
import io.mycelium.journal.KryoSerializable;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityContext;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.japi.pf.PFBuilder;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.SinkRef;
import org.apache.pekko.stream.SourceRef;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamRefs;
import org.apache.pekko.util.ByteString;

/**
 * The one live connection to a host across the cluster: a sharded entity per registered host, owning the SDK
 * {@link Context} (and so the agent) while it is in use, and passivating itself once nothing ran for the idle time.
 *
 * <p>A run's output leaves as a {@code SourceRef}, so the client's node reads it under back-pressure wherever the
 * entity lives. A governed run ({@link Run}) reports the start, exit or failure of its process to its {@link
 * Execution} as it passes; an embedded SDK run ({@link Exec}, from {@code Mycelium.host(id)}) reports nowhere.
 */
public final class HostContext extends AbstractBehavior<HostContext.Command> {

    /** The sharded entity type; the entity id is the host id. */
    public static final EntityTypeKey<Command> TYPE = EntityTypeKey.create(Command.class, "Context");

    /** What a host context answers. */
    public sealed interface Command extends KryoSerializable {}

    /** Runs a process of an authorized execution; replies with its output stream or a refusal. */
    public record Run(String execId, HostSpec host, RunSpec spec, ActorRef<RunReply> replyTo) implements Command {}

    /**
     * Runs a process for the embedded SDK: the context looks its host up in the directory; no execution facts are
     * written. Replies like {@link Run}; an unknown host is refused with code {@code not_found}.
     *
     * @param runId unique per run (the caller's); names the run in this context
     */
    public record Exec(String runId, RunSpec spec, ActorRef<RunReply> replyTo) implements Command {}

    /** The directory's answer for an {@link Exec}: the host, or why there is none. */
    record HostFound(Exec exec, HostSpec host, Throwable failure) implements Command {}

    /** Kills the process of an execution, if it runs here. */
    public record Cancel(String execId, String by) implements Command {}

    /** Whether this context runs (or recently ran) the execution's process. */
    public record IsRunning(String execId, ActorRef<RunState> replyTo) implements Command {}

    /** A run's stream ended. */
    record RunEnded(String execId) implements Command {}

    /** A run's stream references are ready (or failed). */
    record RunReady(
            String execId,
            SourceRef<OutputChunk> output,
            SinkRef<ByteString> stdin,
            Throwable failure,
            ActorRef<RunReply> replyTo)
            implements Command {}

    /** Timer: passivates when nothing runs. */
    record IdleCheck() implements Command {}

    /** What a context knows about a run (the answer to {@link IsRunning}, which crosses the cluster). */
    public enum RunState implements KryoSerializable {
        /** Its process runs here. */
        RUNNING,
        /** It ran here and ended recently. */
        ENDED,
        /** Not known here: never ran here, or ran on an incarnation of this context that is gone. */
        UNKNOWN,
        /** The context did not answer (used by askers, never sent by a context). */
        UNREACHABLE
    }

    /** The answer to {@link Run}. */
    public sealed interface RunReply extends KryoSerializable {}

    /** The run started; read its output from {@code output}; write stdin to {@code stdin} when it was streamed. */
    public record Running(SourceRef<OutputChunk> output, SinkRef<ByteString> stdin) implements RunReply {}

    /** The run could not start. */
    public record Refused(String code, String message) implements RunReply {}

    private static final int RECENTLY_ENDED = 1024;

    private final String hostId;
    private final EntityContext<Command> entity;
    private final Mycelium mycelium;
    private final ClusterSharding sharding;
    private final ActorRef<HostDirectory.Command> directory;
    private final Duration idleTimeout;
    private final Duration askTimeout;
    private final TimerScheduler<Command> timers;
    private final Map<String, UniqueKillSwitch> running = new HashMap<>();
    // Runs that ended here, or were cancelled before they started: each with why a run of the same id is refused.
    private final Map<String, String> recentlyEnded = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > RECENTLY_ENDED;
        }
    };
    private HostSpec spec;
    private Context connection;
    private Instant lastActivity = Instant.now();

    private HostContext(
            ActorContext<Command> context,
            TimerScheduler<Command> timers,
            EntityContext<Command> entity,
            Mycelium mycelium,
            ClusterSharding sharding,
            ActorRef<HostDirectory.Command> directory,
            Duration idleTimeout,
            Duration askTimeout) {
        super(context);
        this.hostId = entity.getEntityId();
        this.entity = entity;
        this.timers = timers;
        this.mycelium = mycelium;
        this.sharding = sharding;
        this.directory = directory;
        this.idleTimeout = idleTimeout;
        this.askTimeout = askTimeout;
        timers.startTimerWithFixedDelay(
                "idle", new IdleCheck(), idleTimeout.dividedBy(4).plusMillis(1));
    }

    /**
     * The entity of one host.
     *
     * @param directory where an {@link Exec} looks its host up
     * @param idleTimeout passivates after this long without a run
     * @param askTimeout how long a directory lookup may take
     */
    public static Behavior<Command> create(
            EntityContext<Command> entity,
            Mycelium mycelium,
            ClusterSharding sharding,
            ActorRef<HostDirectory.Command> directory,
            Duration idleTimeout,
            Duration askTimeout) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers ->
                new HostContext(context, timers, entity, mycelium, sharding, directory, idleTimeout, askTimeout)));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Run.class, this::onRun)
                .onMessage(Exec.class, this::onExec)
                .onMessage(HostFound.class, this::onHostFound)
                .onMessage(RunReady.class, this::onRunReady)
                .onMessage(Cancel.class, this::onCancel)
                .onMessage(IsRunning.class, this::onIsRunning)
                .onMessage(RunEnded.class, this::onRunEnded)
                .onMessage(IdleCheck.class, this::onIdleCheck)
                .onSignal(PostStop.class, s -> onStop())
                .build();
    }

    private Behavior<Command> onRun(Run run) {
        return start(run.execId(), run.host(), run.spec(), run.replyTo(), true);
    }

    private Behavior<Command> onExec(Exec exec) {
        lastActivity = Instant.now();
        getContext()
                .askWithStatus(
                        HostSpec.class,
                        directory,
                        askTimeout,
                        replyTo -> new HostDirectory.Get(hostId, replyTo),
                        (host, failure) -> new HostFound(exec, host, failure));
        return this;
    }

    private Behavior<Command> onHostFound(HostFound found) {
        Exec exec = found.exec();
        if (found.failure() != null) {
            boolean unknown = found.failure() instanceof StatusReply.ErrorMessage;
            exec.replyTo()
                    .tell(new Refused(
                            unknown ? "not_found" : "unavailable",
                            unknown
                                    ? found.failure().getMessage()
                                    : "the host directory did not answer: "
                                            + found.failure().getMessage()));
            return this;
        }
        return start(exec.runId(), found.host(), exec.spec(), exec.replyTo(), false);
    }

    /**
     * Starts a run on the host's connection and replies with its streams.
     *
     * @param recorded whether the run is an {@link Execution} to report the process's facts to
     */
    private Behavior<Command> start(
            String runId, HostSpec host, RunSpec r, ActorRef<RunReply> replyTo, boolean recorded) {
        lastActivity = Instant.now();
        if (running.containsKey(runId)) {
            replyTo.tell(new Refused("conflict", "execution " + runId + " already runs here"));
            return this;
        }
        String ended = recentlyEnded.get(runId);
        if (ended != null) {
            replyTo.tell(new Refused(
                    ended.startsWith("cancelled") ? "cancelled" : "conflict", "execution " + runId + " " + ended));
            return this;
        }
        Context sdk = connectionFor(host);
        ExecOptions options = ExecOptions.defaults();
        for (Map.Entry<String, String> e : r.environment().entrySet()) {
            options = options.withEnv(e.getKey(), e.getValue());
        }
        if (r.workDir() != null) {
            options = options.withWorkDir(r.workDir());
        }
        if (r.timeout() != null) {
            options = options.withTimeout(r.timeout());
        }
        CompletableFuture<SinkRef<ByteString>> stdinRef = new CompletableFuture<>();
        if (r.streamStdin()) {
            Source<ByteString, NotUsed> stdin = StreamRefs.<ByteString>sinkRef().mapMaterializedValue(ref -> {
                stdinRef.complete(ref);
                return NotUsed.getInstance();
            });
            options = options.withStdin(stdin);
        } else {
            stdinRef.complete(null);
            if (r.stdin() != null) {
                options = options.withStdin(r.stdin());
            }
        }
        Pair<UniqueKillSwitch, SourceRef<OutputChunk>> started =
                output(runId, sdk.procStream(r.command(), options), recorded);
        running.put(runId, started.first());
        SourceRef<OutputChunk> output = started.second();
        if (!r.streamStdin()) {
            replyTo.tell(new Running(output, null));
            return this;
        }
        // The stdin side exists once the process has started and opened its stdin: reply when it does.
        getContext().pipeToSelf(stdinRef, (sink, failure) -> new RunReady(runId, output, sink, failure, replyTo));
        return this;
    }

    private Behavior<Command> onRunReady(RunReady ready) {
        if (ready.failure() != null) {
            UniqueKillSwitch killSwitch = running.get(ready.execId());
            if (killSwitch != null) {
                killSwitch.abort(ready.failure());
            }
            ready.replyTo()
                    .tell(new Refused(
                            "internal",
                            "the output stream could not be set up: "
                                    + ready.failure().getMessage()));
        } else {
            ready.replyTo().tell(new Running(ready.output(), ready.stdin()));
        }
        return this;
    }

    /**
     * The process's output as chunks, reporting facts to the execution as they pass when the run is {@code
     * recorded}, ending with an exit or a failure chunk; a kill switch to cancel it, and the {@code SourceRef} that
     * carries it to the client.
     */
    private Pair<UniqueKillSwitch, SourceRef<OutputChunk>> output(
            String execId, Source<ExecOutput, NotUsed> process, boolean recorded) {
        ActorRef<Command> self = getContext().getSelf();
        String host = hostId;
        Source<OutputChunk, UniqueKillSwitch> chunks = process.viaMat(KillSwitches.single(), Keep.right())
                .map(out -> chunk(host, out))
                .recover(new PFBuilder<Throwable, OutputChunk>()
                        .match(Throwable.class, HostContext::failure)
                        .build());
        if (!recorded) {
            return chunks.watchTermination((killSwitch, done) -> {
                        done.whenComplete((ok, failure) -> self.tell(new RunEnded(execId)));
                        return killSwitch;
                    })
                    .toMat(StreamRefs.sourceRef(), Keep.both())
                    .run(getContext().getSystem());
        }
        var execution = sharding.entityRefFor(Execution.TYPE, execId);
        AtomicBoolean finished = new AtomicBoolean();
        return chunks.alsoTo(Sink.foreach(chunk -> {
                    Instant now = Instant.now();
                    switch (chunk) {
                        case OutputChunk.Started s -> execution.tell(new Execution.ProcessStart(host, s.pid(), now));
                        case OutputChunk.Exited e -> {
                            finished.set(true);
                            execution.tell(new Execution.ProcessExit(
                                    e.exitCode(), e.signal(), e.timedOut(), e.duration(), now));
                        }
                        case OutputChunk.Failed f -> {
                            finished.set(true);
                            execution.tell(new Execution.RunFailed(f.code(), f.message(), now));
                        }
                        default -> {}
                    }
                }))
                .watchTermination((killSwitch, done) -> {
                    done.whenComplete((ok, failure) -> {
                        if (!finished.get()) {
                            execution.tell(new Execution.RunFailed(
                                    "client_gone",
                                    "the client stopped reading the output; the process was killed",
                                    Instant.now()));
                        }
                        self.tell(new RunEnded(execId));
                    });
                    return killSwitch;
                })
                .toMat(StreamRefs.sourceRef(), Keep.both())
                .run(getContext().getSystem());
    }

    private static OutputChunk chunk(String host, ExecOutput out) {
        return switch (out) {
            case ExecOutput.Started s -> new OutputChunk.Started(host, s.pid());
            case ExecOutput.Stdout o -> new OutputChunk.Stdout(o.bytes().toArray());
            case ExecOutput.Stderr e -> new OutputChunk.Stderr(e.bytes().toArray());
            case ExecOutput.Exited x -> new OutputChunk.Exited(x.exitCode(), x.signal(), x.timedOut(), x.duration());
        };
    }

    private static OutputChunk failure(Throwable t) {
        if (t instanceof CancelledByRequest c) {
            return new OutputChunk.Failed("cancelled", "the process was killed: cancelled by " + c.getMessage());
        }
        if (t instanceof MyceliumException m) {
            return new OutputChunk.Failed(m.code().name().toLowerCase(java.util.Locale.ROOT), m.getMessage());
        }
        return new OutputChunk.Failed("internal", String.valueOf(t.getMessage()));
    }

    /** Fails a run's stream on purpose: the client gets a cancelled chunk, the process is killed. */
    private static final class CancelledByRequest extends RuntimeException {
        CancelledByRequest(String by) {
            super(by, null, false, false);
        }
    }

    private Context connectionFor(HostSpec host) {
        if (connection == null || !host.equals(spec)) {
            if (connection != null && running.isEmpty()) {
                connection.close();
            }
            spec = host;
            connection = mycelium.open(host.session());
        }
        return connection;
    }

    private Behavior<Command> onCancel(Cancel cancel) {
        UniqueKillSwitch killSwitch = running.get(cancel.execId());
        if (killSwitch != null) {
            killSwitch.abort(new CancelledByRequest(cancel.by()));
        } else if (!recentlyEnded.containsKey(cancel.execId())) {
            // The cancel overtook the run (it was authorized, its Run is on its way): the run must not start later.
            recentlyEnded.put(cancel.execId(), "cancelled by " + cancel.by() + " before it started");
        }
        return this;
    }

    private Behavior<Command> onIsRunning(IsRunning ask) {
        RunState state = running.containsKey(ask.execId())
                ? RunState.RUNNING
                : recentlyEnded.containsKey(ask.execId()) ? RunState.ENDED : RunState.UNKNOWN;
        ask.replyTo().tell(state);
        return this;
    }

    private Behavior<Command> onRunEnded(RunEnded ended) {
        running.remove(ended.execId());
        recentlyEnded.put(ended.execId(), "already ran here");
        lastActivity = Instant.now();
        return this;
    }

    private Behavior<Command> onIdleCheck(IdleCheck check) {
        if (running.isEmpty() && Duration.between(lastActivity, Instant.now()).compareTo(idleTimeout) >= 0) {
            entity.getShard()
                    .tell(new org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding.Passivate<>(
                            getContext().getSelf()));
        }
        return this;
    }

    private Behavior<Command> onStop() {
        running.values().forEach(k -> k.abort(new CancelledByRequest("the context stopping")));
        if (connection != null) {
            connection.close();
        }
        return this;
    }
}

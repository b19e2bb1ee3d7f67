package io.mycelium;

import com.fasterxml.jackson.databind.JsonNode;
import io.mycelium.transport.Hop;
import io.mycelium.transport.HopProcess;
import io.mycelium.transport.JavaRuntime;
import io.mycelium.wire.Message;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * A place where code runs: one agent, reached through one connection, owned by one actor. Every method is
 * non-blocking and may be called from any thread, actor threads included. Operations run concurrently over the one
 * connection; each has its own credit windows, so a slow one never holds up another.
 *
 * <p>The connection opens on first use and reopens on the first use after it was lost; operations running when it is
 * lost fail with {@link ConnectionLostException}.
 */
public final class Context implements ProcessHost {
    private static final int STREAM_BUFFER = 16;
    /** Calls one worker runs at once; more queue on its stdin. */
    private static final int WASM_THREADS = 2;
    /** Function calls one worker runs at once; more queue on its stdin. */
    private static final int FUNCTION_THREADS = 4;

    private final String name;
    private final Session session;
    private final Mycelium owner;
    private final ActorRef<ContextActor.Command> actor;
    private final AtomicBoolean closeRequested = new AtomicBoolean();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final ActorSystem<?> system;
    private final AtomicReference<ActorRef<WasmWorkerActor.Command>> wasm = new AtomicReference<>();
    private final AtomicReference<ActorRef<FunctionWorkerActor.Command>> functionWorker = new AtomicReference<>();
    /** Contexts started through this one's agent, open now: they go when this one does. */
    private final Set<Context> children = ConcurrentHashMap.newKeySet();

    Context(Session session, Mycelium owner, ActorRef<ContextActor.Command> actor, ActorSystem<?> system) {
        this.name = session.name();
        this.session = session;
        this.owner = owner;
        this.actor = actor;
        this.system = system;
        closed.whenComplete((v, e) -> {
            ActorRef<WasmWorkerActor.Command> worker = wasm.get();
            if (worker != null) {
                worker.tell(WasmWorkerActor.Stop.INSTANCE);
            }
            ActorRef<FunctionWorkerActor.Command> fn = functionWorker.get();
            if (fn != null) {
                fn.tell(FunctionWorkerActor.Stop.INSTANCE);
            }
            children.forEach(Context::close);
        });
    }

    /**
     * A context on this context's host whose agent runs as another user: this context's agent starts it with sudo, su
     * or doas through a pseudo-terminal, answering the password prompt from {@code how}'s {@link PasswordSource}. The
     * same as {@code mycelium.open(session.become(how))} ({@link Session#become(Become)}): contexts are pooled by
     * target, and closing this context closes it too. A refusal arrives as a {@link BecomeException} on the first
     * operation.
     */
    public Context become(Become how) {
        return owner.open(session.become(how));
    }

    /** {@link #become(Become)} without a password: for NOPASSWD rules, or su run by root. */
    public Context become(Privilege privilege, String user) {
        return become(Become.as(privilege, user));
    }

    /** The context's name, as it appears in errors. */
    @Override
    public String name() {
        return name;
    }

    /** Connects if needed and reports the agent: platform, Java, how it was loaded, and how long that took. */
    public CompletionStage<AgentInfo> ensureAgent() {
        CompletableFuture<AgentInfo> result = new CompletableFuture<>();
        actor.tell(new ContextActor.EnsureAgent(result));
        return result;
    }

    /** A no-op round trip to the agent; completes with the time it took. */
    public CompletionStage<Duration> ping() {
        CompletableFuture<Duration> result = new CompletableFuture<>();
        actor.tell(new ContextActor.Ping(result));
        return result;
    }

    /**
     * Runs a process and collects its output. Completes with the result whatever the exit code; fails with {@link
     * ProcessStartException} when it cannot start, {@link OperationTimeoutException} when it ran past its timeout.
     * Cancelling the returned future kills the remote process tree.
     *
     * @param command program and arguments; the program is looked up on the agent's PATH
     */
    @Override
    public CompletableFuture<ExecResult> procExec(List<String> command, ExecOptions options) {
        CompletableFuture<ExecResult> result = new CompletableFuture<>();
        actor.tell(new ContextActor.StartExec(
                request(command, options),
                options.stdin(),
                new ExecStreamActor.Collect(result, options.maxCollectedBytes())));
        return result;
    }

    /** {@link #procExec(List, ExecOptions)} with default options. */
    @Override
    public CompletableFuture<ExecResult> procExec(String... command) {
        return procExec(List.of(command), ExecOptions.defaults());
    }

    /**
     * Runs a process and streams its output as it comes: {@link ExecOutput.Started}, then stdout and stderr chunks,
     * then {@link ExecOutput.Exited} (also after a timeout, with {@code timedOut} set). The agent reads the process's
     * pipes only as fast as this source is consumed: a consumer that stops reading stops the process after one credit
     * window. Cancelling the stream kills the remote process tree. Each materialization runs the process anew.
     */
    @Override
    public Source<ExecOutput, NotUsed> procStream(List<String> command, ExecOptions options) {
        Message.ExecStart request = request(command, options);
        return Source.<ExecOutput>queue(STREAM_BUFFER, OverflowStrategy.backpressure())
                .mapMaterializedValue(queue -> {
                    actor.tell(new ContextActor.StartExec(request, options.stdin(), new ExecStreamActor.Stream(queue)));
                    return NotUsed.getInstance();
                });
    }

    /**
     * Copies a local file or directory tree to {@code remote} on the agent's host. A file becomes exactly {@code
     * remote} (its directory must exist); a directory becomes the directory {@code remote}, created if needed. Modes
     * and modification times are kept, every file is checked by sha256 and appears under its name only once complete.
     * Cancelling the returned future stops the transfer on both sides.
     */
    public CompletableFuture<TransferResult> put(Path local, String remote) {
        CompletableFuture<TransferResult> result = new CompletableFuture<>();
        actor.tell(new ContextActor.StartPut(local.toAbsolutePath(), Objects.requireNonNull(remote), result));
        return result;
    }

    /**
     * Copies a remote file or directory tree to {@code local}, with the guarantees of {@link #put}. Cancelling the
     * returned future stops the transfer on both sides.
     */
    public CompletableFuture<TransferResult> get(String remote, Path local) {
        CompletableFuture<TransferResult> result = new CompletableFuture<>();
        actor.tell(new ContextActor.StartGet(Objects.requireNonNull(remote), local.toAbsolutePath(), result));
        return result;
    }

    /**
     * Runs a WebAssembly module on the context's host: a WASI preview1 module reads {@code call.input()} as JSON on
     * stdin and writes one JSON value on stdout, which the stage completes with. The module runs sandboxed in GraalWasm
     * with no files, network, environment or capabilities, within the call's limits.
     *
     * <p>The first call on a host ships the Wasm runtime (about 20 MB of jars, plus Graal's 24 MB compiler where the
     * host has a writable {@code ~/.cache/mycelium}; plus the Java runtime when the agent's Java is older than 25),
     * hash-addressed and cached like the agent; then a worker process starts there and stays for later calls, keeping
     * each module loaded and compiled. A module's bytes travel once per worker.
     *
     * @return the module's JSON output; fails with {@link WasmCallException} when the module or the runtime failed
     *     ({@link WasmCallException#failure()} says how: trap, limit, capability, invalid module...), with the other
     *     {@link MyceliumException}s when the connection or the agent did
     */
    public CompletionStage<JsonNode> callWasm(WasmCall call) {
        Objects.requireNonNull(call, "call");
        CompletableFuture<JsonNode> result = new CompletableFuture<>();
        wasmWorker().tell(new WasmWorkerActor.Call(call, result));
        return result;
    }

    /** {@link #callWasm(WasmCall)} of a command module's {@code _start} with the default limits. */
    public CompletionStage<JsonNode> callWasm(byte[] module, JsonNode input) {
        return callWasm(WasmCall.of(module, input));
    }

    /**
     * Calls the function registered as {@code functionName} ({@link Mycelium#functions(FunctionRegistry)}) on the
     * context's host with {@code input}; the stage completes with what it returned.
     *
     * <p>The first call on a host ships the registry's jars (the functions' code, their libraries, Jackson and the
     * worker), hash-addressed and cached there like the Wasm runtime; then a worker process starts on the agent's Java
     * and stays for later calls, which run concurrently on its threads. A name that is not registered fails at once,
     * without touching the host.
     *
     * @return the function's JSON output; fails with {@link FunctionCallException}: {@link
     *     FunctionCallException.Failure#THREW} with the remote class, message and stack trace when the function threw,
     *     {@link FunctionCallException.Failure#NOT_REGISTERED} for an unknown name; with the other {@link
     *     MyceliumException}s when the connection or the agent failed
     */
    public CompletionStage<JsonNode> callJson(String functionName, JsonNode input) {
        Objects.requireNonNull(input, "input");
        FunctionRegistry registry = owner.functionRegistry();
        if (!registry.contains(functionName)) {
            return CompletableFuture.failedFuture(new FunctionCallException(
                    FunctionCallException.Failure.NOT_REGISTERED,
                    name,
                    "no function '" + functionName + "' is registered on this controller (registered: "
                            + registry.names() + "): add its class with Mycelium.functions(FunctionRegistry.builder()"
                            + ".add(...).build())"));
        }
        CompletableFuture<JsonNode> result = new CompletableFuture<>();
        functionWorker().tell(new FunctionWorkerActor.Call(functionName, input, registry, result));
        return result;
    }

    private ActorRef<FunctionWorkerActor.Command> functionWorker() {
        ActorRef<FunctionWorkerActor.Command> worker = functionWorker.get();
        if (worker != null) {
            return worker;
        }
        synchronized (functionWorker) {
            if (functionWorker.get() == null) {
                functionWorker.set(system.systemActorOf(
                        FunctionWorkerActor.create(this, new FunctionHostSetup(this), FUNCTION_THREADS),
                        actor.path().name() + "-functions",
                        Props.empty()));
            }
            return functionWorker.get();
        }
    }

    private ActorRef<WasmWorkerActor.Command> wasmWorker() {
        ActorRef<WasmWorkerActor.Command> worker = wasm.get();
        if (worker != null) {
            return worker;
        }
        synchronized (wasm) {
            if (wasm.get() == null) {
                wasm.set(system.systemActorOf(
                        WasmWorkerActor.create(
                                this,
                                () -> new WasmHostSetup(this, WasmBundle.locate(), JavaRuntime.embedded()),
                                WASM_THREADS),
                        actor.path().name() + "-wasm",
                        Props.empty()));
            }
            return wasm.get();
        }
    }

    /**
     * Runs {@code op} on each of {@code hosts} reached from this context's host, {@value FanOut#DEFAULT_PARALLELISM} at
     * a time: see {@link #fanOut(List, Function, int)}.
     */
    public <T> Source<HostResult<T>, CompletionStage<FanOutSummary>> fanOut(
            List<SshSession> hosts, Function<? super Context, ? extends CompletionStage<T>> op) {
        return fanOut(hosts, op, FanOut.DEFAULT_PARALLELISM);
    }

    /**
     * Runs {@code op} on each of {@code hosts}, reached from this context's host: this context's agent starts each
     * host's agent ({@link SshSession#via}), so every host's frames travel through this context's one connection, each
     * on its own streams with their own credit windows. At most {@code parallelism} hosts are connecting or running
     * {@code op} at once; each gets a context of its own, closed as soon as its {@code op} ends.
     *
     * <pre>{@code
     * Context bastion = mycelium.open(Session.ssh("deploy@bastion").build());
     * List<SshSession> web = List.of(Session.ssh("deploy@web1"), Session.ssh("deploy@web2"));
     * bastion.fanOut(web, ctx -> ctx.procExec("uname", "-n"), 8)
     *         .runForeach(r -> System.out.println(r.host() + ": " + (r.ok() ? r.value().stdoutText() : r.failure())),
     *                 mycelium.system());
     * }</pre>
     *
     * <p>The source emits one {@link HostResult} per host, in the order they finish; a host that cannot be reached,
     * refuses the login, whose {@code op} fails, or whose process exits non-zero ends as a failed result and never
     * stops the others (see {@link HostResult}). The source's materialized value completes with the {@link
     * FanOutSummary} after the last host. Each materialization runs the fan-out anew. The scheduling runs here, over
     * the one connection: {@code op} is code of this JVM (see docs/architecture.md, "Fan-out").
     *
     * @param hosts the hosts, each with its identity, known_hosts file and options; whatever {@code via} they had is
     *     replaced by this context
     * @param op what to run on each host's context; it must not close the context
     * @param parallelism the most hosts in flight at once, at least 1
     * @throws IllegalArgumentException when {@code hosts} is empty, {@code parallelism} is below 1, or a host uses the
     *     MINA client (a hop connects with its own {@code ssh} program)
     */
    public <T> Source<HostResult<T>, CompletionStage<FanOutSummary>> fanOut(
            List<SshSession> hosts, Function<? super Context, ? extends CompletionStage<T>> op, int parallelism) {
        return fanOutThrough(hosts.stream().map(h -> h.via(session).build()).toList(), op, parallelism);
    }

    /** {@link #fanOut} of sessions whose parent is this context's session. */
    <T> Source<HostResult<T>, CompletionStage<FanOutSummary>> fanOutThrough(
            List<Session> children, Function<? super Context, ? extends CompletionStage<T>> op, int parallelism) {
        for (Session child : children) {
            if (!session.equals(child.parent())) {
                throw new IllegalArgumentException(child.name() + " is not reached through " + name);
            }
        }
        return FanOut.run(children, child -> owner.openOwn(child, this), op, parallelism);
    }

    /**
     * Runs a child link's program on this context's host (see {@link Message.ChildStart}) and streams its output like
     * {@link #procStream}: what the program prints is a child's connection.
     */
    Source<ExecOutput, NotUsed> childStream(Message.ChildStart request, Source<ByteString, ?> stdin) {
        return Source.<ExecOutput>queue(STREAM_BUFFER, OverflowStrategy.backpressure())
                .mapMaterializedValue(queue -> {
                    actor.tell(new ContextActor.StartChild(request, stdin, new ExecStreamActor.Stream(queue)));
                    return NotUsed.getInstance();
                });
    }

    /** This context as the parent of contexts started through its agent. */
    Hop hop() {
        return new Hop() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public HopProcess start(List<String> argv, byte[] identity, byte[] knownHosts) throws IOException {
                if (isClosed()) {
                    throw new IOException("the context " + name + " is closed");
                }
                return ChildProcess.start(
                        Context.this,
                        new Message.ChildStart(argv.toArray(new String[0]), identity, knownHosts),
                        system);
            }
        };
    }

    /** Closes the connection and stops the agent; operations still running fail. Later calls do nothing more. */
    public CompletionStage<Void> close() {
        if (closeRequested.compareAndSet(false, true)) {
            actor.tell(new ContextActor.Close(closed));
        }
        return closed;
    }

    /**
     * Closes {@code child} when this context closes: without its parent a child has no way to its host. A child
     * leaves the set once closed, so a long-lived parent of many short-lived children (a fan-out's) holds only the open
     * ones.
     */
    void adopt(Context child) {
        children.add(child);
        child.whenClosed().thenRun(() -> children.remove(child));
        if (closed.isDone()) {
            child.close();
        }
    }

    /** Whether {@link #close()} was called. */
    boolean isClosed() {
        return closeRequested.get();
    }

    /** Completes once the context is closed. */
    CompletionStage<Void> whenClosed() {
        return closed;
    }

    private static Message.ExecStart request(List<String> command, ExecOptions options) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("a command needs at least a program");
        }
        List<String> env = new ArrayList<>();
        for (Map.Entry<String, String> e : options.environment().entrySet()) {
            env.add(e.getKey() + "=" + e.getValue());
        }
        return new Message.ExecStart(
                command.toArray(new String[0]),
                env.toArray(new String[0]),
                options.unsetEnvironment().toArray(new String[0]),
                options.clearEnvironment(),
                options.workDir(),
                options.stdin() != null,
                options.timeout() == null ? 0 : Math.max(1, options.timeout().toMillis()));
    }

    @Override
    public String toString() {
        return "Context[" + name + "]";
    }
}

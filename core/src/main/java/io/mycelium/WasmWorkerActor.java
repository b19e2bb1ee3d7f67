package io.mycelium;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSink;
import org.apache.pekko.util.ByteString;

/**
 * One context's Wasm worker: a long-lived process on the host (io.mycelium.wasm.worker.WasmWorker in the shipped
 * bundle) that serves {@link Context#callWasm} calls over its stdin and stdout, so modules stay loaded and compiled
 * between calls. Started on the first call (after {@link WasmHostSetup}), restarted on the first call after it ended.
 * A module's bytes go to a worker once; later calls name its sha256. Frames: docs/protocol.md, "The Wasm worker".
 */
final class WasmWorkerActor extends AbstractBehavior<WasmWorkerActor.Command> {
    /** Calls queued to the worker's stdin beyond those it is reading; more fail fast as busy. */
    static final int QUEUED_CALLS = 256;

    static final int MAX_FRAME = 96 << 20;
    /** Modules a context keeps for {@link WasmCall#ofDigest} calls and for workers that restarted. */
    static final int KEPT_MODULES = 16;

    private static final int STDERR_LINES = 20;
    private static final Duration GRACE = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    sealed interface Command {}

    /** Runs {@code call}; completes {@code result} with the module's JSON output or a {@link MyceliumException}. */
    record Call(WasmCall call, CompletableFuture<JsonNode> result) implements Command {}

    /** Stops the worker and this actor: the context closed. */
    enum Stop implements Command {
        INSTANCE
    }

    private record Prepared(List<String> argv, Throwable error) implements Command {}

    private record OutputInit(int generation, ActorRef<StreamCommand.Ack> ackTo) implements Command {}

    private record Output(int generation, ActorRef<StreamCommand.Ack> ackTo, ExecOutput output) implements Command {}

    private record OutputEnded(int generation, Throwable error) implements Command {}

    private record CallOverdue(int generation, long id) implements Command {}

    private record Pending(WasmCall call, String sha256, CompletableFuture<JsonNode> result, boolean resent) {}

    private final Context context;
    private final Supplier<WasmHostSetup> setup;
    private final int threads;
    private final TimerScheduler<Command> timers;
    private final List<Call> waiting = new ArrayList<>();
    private final Map<Long, Pending> pending = new HashMap<>();
    private final Set<String> loaded = new HashSet<>();
    private final Map<String, byte[]> kept = new java.util.LinkedHashMap<>(KEPT_MODULES, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
            return size() > KEPT_MODULES;
        }
    };
    private final ArrayDeque<String> stderrTail = new ArrayDeque<>();
    private ByteString stdout = ByteString.emptyByteString();
    private ByteString stderr = ByteString.emptyByteString();
    private BoundedSourceQueue<ByteString> stdin;
    private UniqueKillSwitch kill;
    private int generation;
    private long nextId;
    private boolean starting;

    static Behavior<Command> create(Context context, Supplier<WasmHostSetup> setup, int threads) {
        return Behaviors.setup(
                ctx -> Behaviors.withTimers(timers -> new WasmWorkerActor(ctx, context, setup, threads, timers)));
    }

    private WasmWorkerActor(
            ActorContext<Command> ctx,
            Context context,
            Supplier<WasmHostSetup> setup,
            int threads,
            TimerScheduler<Command> timers) {
        super(ctx);
        this.context = context;
        this.setup = setup;
        this.threads = threads;
        this.timers = timers;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Call.class, this::onCall)
                .onMessage(Prepared.class, this::onPrepared)
                .onMessage(OutputInit.class, m -> m.generation() == generation, m -> {
                    m.ackTo().tell(StreamCommand.Ack.INSTANCE);
                    return this;
                })
                .onMessage(Output.class, m -> m.generation() == generation, this::onOutput)
                .onMessage(Output.class, m -> {
                    m.ackTo().tell(StreamCommand.Ack.INSTANCE);
                    return this;
                })
                .onMessage(OutputEnded.class, m -> m.generation() == generation, this::onEnded)
                .onMessage(CallOverdue.class, m -> m.generation() == generation, this::onOverdue)
                .onMessage(Stop.class, m -> Behaviors.stopped())
                .onSignal(PostStop.class, m -> {
                    if (kill != null) {
                        kill.shutdown();
                    }
                    workerGone("the context closed");
                    MyceliumException closed =
                            failure(WasmCallException.Failure.WORKER_FAILED, "the context closed", "");
                    waiting.forEach(c -> c.result().completeExceptionally(closed));
                    return this;
                })
                .onAnyMessage(m -> this)
                .build();
    }

    private Behavior<Command> onCall(Call m) {
        if (stdin != null) {
            send(m.call(), m.result(), false);
        } else {
            waiting.add(m);
            startWorker();
        }
        return this;
    }

    /** Prepares the host and starts a worker for the waiting calls, unless that is under way. */
    private void startWorker() {
        if (starting) {
            return;
        }
        starting = true;
        WasmHostSetup hostSetup;
        try {
            hostSetup = setup.get();
        } catch (RuntimeException e) {
            getContext().getSelf().tell(new Prepared(null, e));
            return;
        }
        getContext().pipeToSelf(hostSetup.prepare(threads), Prepared::new);
    }

    private Behavior<Command> onPrepared(Prepared m) {
        starting = false;
        if (m.error() != null) {
            Throwable cause = unwrap(m.error());
            MyceliumException error = cause instanceof IllegalStateException e
                    ? failure(WasmCallException.Failure.RUNTIME_UNAVAILABLE, e.getMessage(), "")
                    : Errors.local(context.name(), cause);
            waiting.forEach(c -> c.result().completeExceptionally(error));
            waiting.clear();
            return this;
        }
        generation++;
        var queued = Source.<ByteString>queue(QUEUED_CALLS)
                .preMaterialize(getContext().getSystem());
        stdin = queued.first();
        stdout = ByteString.emptyByteString();
        stderr = ByteString.emptyByteString();
        stderrTail.clear();
        loaded.clear();
        int gen = generation;
        ActorRef<Command> self = getContext().getSelf();
        kill = context.procStream(m.argv(), ExecOptions.defaults().withStdin(queued.second()))
                .viaMat(KillSwitches.single(), Keep.right())
                .toMat(
                        ActorSink.<ExecOutput, Command, StreamCommand.Ack>actorRefWithBackpressure(
                                self,
                                (ackTo, output) -> new Output(gen, ackTo, output),
                                ackTo -> new OutputInit(gen, ackTo),
                                StreamCommand.Ack.INSTANCE,
                                new OutputEnded(gen, null),
                                error -> new OutputEnded(gen, error)),
                        Keep.left())
                .run(getContext().getSystem());
        waiting.forEach(c -> send(c.call(), c.result(), false));
        waiting.clear();
        return this;
    }

    private void send(WasmCall call, CompletableFuture<JsonNode> result, boolean resent) {
        if (result.isDone()) {
            return; // the caller gave up (cancelled) before it was sent
        }
        String sha256 = call.sha256();
        byte[] module = call.module();
        if (module != null) {
            kept.put(sha256, module);
        } else {
            module = kept.get(sha256);
        }
        long id = ++nextId;
        ObjectNode frame =
                JSON.createObjectNode().put("type", "call").put("id", id).put("sha256", sha256);
        if (!loaded.contains(sha256)) {
            if (module == null) {
                result.completeExceptionally(failure(
                        WasmCallException.Failure.INVALID_MODULE,
                        "no module with sha256 " + sha256 + " was sent through this context (or it was one of more"
                                + " than " + KEPT_MODULES + "): call with its bytes",
                        ""));
                return;
            }
            loaded.add(sha256);
            frame.put("module", Base64.getEncoder().encodeToString(module));
        }
        if (call.export() != null) {
            frame.put("export", call.export());
        }
        frame.set("input", call.input());
        frame.put("timeoutMillis", Math.max(1, call.timeout().toMillis()))
                .put("maxMemoryBytes", call.maxMemoryBytes())
                .put("maxOutputBytes", call.maxOutputBytes());
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(frame);
        } catch (IOException e) {
            result.completeExceptionally(Errors.local(context.name(), e));
            return;
        }
        if (body.length > MAX_FRAME) {
            loaded.remove(sha256);
            result.completeExceptionally(new IllegalArgumentException(
                    "the module and input are " + body.length + " bytes as a frame, over the " + MAX_FRAME + " limit"));
            return;
        }
        ByteString bytes = ByteString.fromArrayUnsafe(
                        ByteBuffer.allocate(4).putInt(body.length).array())
                .concat(ByteString.fromArrayUnsafe(body));
        QueueOfferResult offered = stdin.offer(bytes);
        if (offered == QueueOfferResult.closed()) {
            // The exec stream ended (the worker or the connection went) before its output said so.
            workerGone("the Wasm worker's stdin closed");
            result.completeExceptionally(failure(
                    WasmCallException.Failure.WORKER_FAILED,
                    "the Wasm worker's stdin closed before the call was sent; the next call starts a new worker",
                    ""));
            return;
        }
        if (offered != QueueOfferResult.enqueued()) {
            loaded.remove(sha256);
            result.completeExceptionally(Errors.of(
                    io.mycelium.wire.ErrorCode.AGENT_BUSY,
                    context.name(),
                    "more than " + QUEUED_CALLS + " Wasm calls are waiting for the worker: try again later",
                    null));
            return;
        }
        pending.put(id, new Pending(call, sha256, result, resent));
        timers.startSingleTimer(
                id, new CallOverdue(generation, id), call.timeout().plus(GRACE));
    }

    private Behavior<Command> onOutput(Output m) {
        try {
            switch (m.output()) {
                case ExecOutput.Stdout out -> {
                    stdout = stdout.concat(out.bytes());
                    drainFrames();
                }
                case ExecOutput.Stderr err -> keepStderr(err.bytes());
                case ExecOutput.Exited exited -> workerGone("the Wasm worker exited with status " + exited.exitCode());
                case ExecOutput.Started started -> {}
            }
        } catch (IOException e) {
            kill.abort(e);
            workerGone("the Wasm worker broke its protocol: " + e.getMessage());
        }
        m.ackTo().tell(StreamCommand.Ack.INSTANCE);
        return this;
    }

    private void drainFrames() throws IOException {
        while (stdout.size() >= 4) {
            int length = stdout.iterator().getInt(java.nio.ByteOrder.BIG_ENDIAN);
            if (length < 2 || length > MAX_FRAME) {
                throw new IOException("frame length " + length);
            }
            if (stdout.size() < 4 + length) {
                return;
            }
            JsonNode frame = JSON.readTree(stdout.slice(4, 4 + length).toArrayUnsafe());
            stdout = stdout.drop(4 + length).compact();
            onFrame(frame);
        }
    }

    private void onFrame(JsonNode frame) {
        String type = frame.path("type").asText();
        if (type.equals("ready")) {
            if (!frame.path("optimizing").asBoolean()) {
                getContext()
                        .getLog()
                        .warn("[{}] {}", context.name(), frame.path("compiler").asText());
            }
            return;
        }
        long id = frame.path("id").asLong();
        Pending call = pending.remove(id);
        if (call == null) {
            if (type.equals("error")) {
                getContext().getLog().warn("[{}] the Wasm worker: {}", context.name(), frame.path("message"));
            }
            return;
        }
        timers.cancel(id);
        if (type.equals("result")) {
            call.result().complete(frame.path("output"));
            return;
        }
        String code = frame.path("code").asText();
        if (code.equals("MODULE_NOT_LOADED") && !call.resent()) {
            loaded.remove(call.sha256());
            send(call.call(), call.result(), true);
            return;
        }
        call.result().completeExceptionally(fromFrame(code, frame));
    }

    private MyceliumException fromFrame(String code, JsonNode frame) {
        String message = frame.path("message").asText();
        WasmCallException.Failure failure;
        try {
            failure = WasmCallException.Failure.valueOf(code);
        } catch (IllegalArgumentException e) {
            failure = WasmCallException.Failure.WORKER_FAILED;
            message = code + ": " + message;
        }
        List<String> stack = new ArrayList<>();
        frame.path("wasmStack").forEach(line -> stack.add(line.asText()));
        return new WasmCallException(
                failure,
                context.name(),
                message,
                frame.path("stderr").asText(""),
                stack,
                frame.hasNonNull("limit") ? frame.get("limit").asText() : null,
                frame.path("exitCode").asInt(0));
    }

    private void keepStderr(ByteString bytes) {
        stderr = stderr.concat(bytes);
        int newline;
        while ((newline = stderr.indexOf((byte) '\n')) >= 0) {
            String line = stderr.slice(0, newline).utf8String();
            stderr = stderr.drop(newline + 1).compact();
            getContext().getLog().debug("[{}] wasm worker: {}", context.name(), line);
            stderrTail.addLast(line);
            if (stderrTail.size() > STDERR_LINES) {
                stderrTail.removeFirst();
            }
        }
        if (stderr.size() > 8192) {
            stderr = ByteString.emptyByteString(); // a line this long is noise; the tail keeps whole lines only
        }
    }

    private Behavior<Command> onEnded(OutputEnded m) {
        workerGone(
                m.error() == null
                        ? "the Wasm worker's output ended"
                        : "the Wasm worker's stream failed: " + m.error().getMessage());
        return this;
    }

    private void workerGone(String why) {
        if (stdin == null) {
            return;
        }
        try {
            stdin.complete(); // the worker sees end of input and exits
        } catch (IllegalStateException streamEndedFirst) {
            // The exec stream ended or was cancelled before (context closed, process gone): nothing left to close.
        }
        stdin = null;
        generation++; // later output of the old worker is stale
        String tail = String.join("\n", stderrTail);
        for (Map.Entry<Long, Pending> e : pending.entrySet()) {
            timers.cancel(e.getKey());
            e.getValue().result().completeExceptionally(failure(WasmCallException.Failure.WORKER_FAILED, why, tail));
        }
        pending.clear();
    }

    private Behavior<Command> onOverdue(CallOverdue m) {
        Pending call = pending.remove(m.id());
        if (call != null) {
            // The worker stops a call at its timeout; one that has not answered long after is stuck: restart it.
            call.result()
                    .completeExceptionally(failure(
                            WasmCallException.Failure.WORKER_FAILED,
                            "the Wasm worker did not answer within "
                                    + call.call().timeout().plus(GRACE).toSeconds() + " s; it is restarted",
                            String.join("\n", stderrTail)));
            kill.shutdown();
            workerGone("the Wasm worker was restarted after a call got no answer");
        }
        return this;
    }

    private WasmCallException failure(WasmCallException.Failure failure, String message, String stderrTail) {
        return new WasmCallException(failure, context.name(), message, stderrTail, List.of());
    }

    private static Throwable unwrap(Throwable error) {
        while (error instanceof java.util.concurrent.CompletionException && error.getCause() != null) {
            error = error.getCause();
        }
        return error;
    }
}

package io.mycelium;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSink;
import org.apache.pekko.util.ByteString;

/**
 * One context's function worker: a long-lived process on the host ({@code io.mycelium.function.worker.FunctionWorker}
 * from module functions) that serves {@link Context#callJson} calls over its stdin and stdout, with the registered
 * functions loaded once. Started on the first call (after {@link FunctionHostSetup}), restarted on the first call after
 * it ended or after the controller's registry changed. Frames: docs/protocol.md, "The function worker".
 */
final class FunctionWorkerActor extends AbstractBehavior<FunctionWorkerActor.Command> {
    /** Calls queued to the worker's stdin beyond those it is reading; more fail fast as busy. */
    static final int QUEUED_CALLS = 256;

    static final int MAX_FRAME = 64 << 20;

    private static final int STDERR_LINES = 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    sealed interface Command {}

    /** Runs {@code function} of {@code registry}; completes {@code result} with its output or an exception. */
    record Call(String function, JsonNode input, FunctionRegistry registry, CompletableFuture<JsonNode> result)
            implements Command {}

    /** Stops the worker and this actor: the context closed. */
    enum Stop implements Command {
        INSTANCE
    }

    private record Prepared(FunctionRegistry registry, List<String> argv, Throwable error) implements Command {}

    private record OutputInit(int generation, ActorRef<StreamCommand.Ack> ackTo) implements Command {}

    private record Output(int generation, ActorRef<StreamCommand.Ack> ackTo, ExecOutput output) implements Command {}

    private record OutputEnded(int generation, Throwable error) implements Command {}

    private final Context context;
    private final FunctionHostSetup setup;
    private final int threads;
    private final List<Call> waiting = new ArrayList<>();
    private final Map<Long, CompletableFuture<JsonNode>> pending = new HashMap<>();
    private final ArrayDeque<String> stderrTail = new ArrayDeque<>();
    private ByteString stdout = ByteString.emptyByteString();
    private ByteString stderr = ByteString.emptyByteString();
    private BoundedSourceQueue<ByteString> stdin;
    private FunctionRegistry running;
    private UniqueKillSwitch kill;
    private int generation;
    private long nextId;
    private boolean starting;

    static Behavior<Command> create(Context context, FunctionHostSetup setup, int threads) {
        return Behaviors.setup(ctx -> new FunctionWorkerActor(ctx, context, setup, threads));
    }

    private FunctionWorkerActor(ActorContext<Command> ctx, Context context, FunctionHostSetup setup, int threads) {
        super(ctx);
        this.context = context;
        this.setup = setup;
        this.threads = threads;
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
                .onMessage(Stop.class, m -> Behaviors.stopped())
                .onSignal(PostStop.class, m -> {
                    if (kill != null) {
                        kill.shutdown();
                    }
                    workerGone("the context closed");
                    FunctionCallException closed = failure("the context closed");
                    waiting.forEach(c -> c.result().completeExceptionally(closed));
                    return this;
                })
                .onAnyMessage(m -> this)
                .build();
    }

    private Behavior<Command> onCall(Call m) {
        if (stdin != null && m.registry() != running) {
            if (kill != null) {
                kill.shutdown();
            }
            workerGone("the controller's function registry changed; the worker restarts with the new one");
        }
        if (stdin != null) {
            send(m);
        } else {
            waiting.add(m);
            startWorker(m.registry());
        }
        return this;
    }

    /** Prepares the host and starts a worker for the waiting calls, unless that is under way. */
    private void startWorker(FunctionRegistry registry) {
        if (starting) {
            return;
        }
        starting = true;
        FunctionBundle bundle;
        try {
            bundle = registry.bundle();
        } catch (RuntimeException e) {
            getContext().getSelf().tell(new Prepared(registry, null, e));
            return;
        }
        getContext().pipeToSelf(setup.prepare(bundle, threads), (argv, error) -> new Prepared(registry, argv, error));
    }

    private Behavior<Command> onPrepared(Prepared m) {
        starting = false;
        if (m.error() != null) {
            Throwable cause = unwrap(m.error());
            MyceliumException error = cause instanceof RuntimeException r && !(cause instanceof MyceliumException)
                    ? new FunctionCallException(
                            FunctionCallException.Failure.RUNTIME_UNAVAILABLE, context.name(), r.getMessage())
                    : Errors.local(context.name(), cause);
            waiting.forEach(c -> c.result().completeExceptionally(error));
            waiting.clear();
            return this;
        }
        generation++;
        var queued = Source.<ByteString>queue(QUEUED_CALLS)
                .preMaterialize(getContext().getSystem());
        stdin = queued.first();
        running = m.registry();
        stdout = ByteString.emptyByteString();
        stderr = ByteString.emptyByteString();
        stderrTail.clear();
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
        List<Call> calls = new ArrayList<>(waiting);
        waiting.clear();
        // Calls that waited for another registry start their own worker after these.
        calls.forEach(this::onCall);
        return this;
    }

    private void send(Call call) {
        if (call.result().isDone()) {
            return; // the caller gave up (cancelled) before it was sent
        }
        long id = ++nextId;
        ObjectNode frame =
                JSON.createObjectNode().put("type", "call").put("id", id).put("function", call.function());
        frame.set("input", call.input());
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(frame);
        } catch (IOException e) {
            call.result().completeExceptionally(Errors.local(context.name(), e));
            return;
        }
        if (body.length > MAX_FRAME) {
            call.result()
                    .completeExceptionally(new IllegalArgumentException(
                            "the input is " + body.length + " bytes as a frame, over the " + MAX_FRAME + " limit"));
            return;
        }
        ByteString bytes = ByteString.fromArrayUnsafe(
                        ByteBuffer.allocate(4).putInt(body.length).array())
                .concat(ByteString.fromArrayUnsafe(body));
        QueueOfferResult offered = stdin.offer(bytes);
        if (offered == QueueOfferResult.closed()) {
            workerGone("the function worker's stdin closed");
            call.result()
                    .completeExceptionally(failure("the function worker's stdin closed before the call was sent;"
                            + " the next call starts a new worker"));
            return;
        }
        if (offered != QueueOfferResult.enqueued()) {
            call.result()
                    .completeExceptionally(Errors.of(
                            io.mycelium.wire.ErrorCode.AGENT_BUSY,
                            context.name(),
                            "more than " + QUEUED_CALLS + " function calls are waiting for the worker: try again later",
                            null));
            return;
        }
        pending.put(id, call.result());
    }

    private Behavior<Command> onOutput(Output m) {
        try {
            switch (m.output()) {
                case ExecOutput.Stdout out -> {
                    stdout = stdout.concat(out.bytes());
                    drainFrames();
                }
                case ExecOutput.Stderr err -> keepStderr(err.bytes());
                case ExecOutput.Exited exited ->
                    workerGone("the function worker exited with status " + exited.exitCode());
                case ExecOutput.Started started -> {}
            }
        } catch (IOException e) {
            kill.abort(e);
            workerGone("the function worker broke its protocol: " + e.getMessage());
        }
        m.ackTo().tell(StreamCommand.Ack.INSTANCE);
        return this;
    }

    private void drainFrames() throws IOException {
        while (stdout.size() >= 4) {
            int length = stdout.iterator().getInt(ByteOrder.BIG_ENDIAN);
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
            return;
        }
        CompletableFuture<JsonNode> result = pending.remove(frame.path("id").asLong());
        if (result == null) {
            if (type.equals("error")) {
                getContext().getLog().warn("[{}] the function worker: {}", context.name(), frame.path("message"));
            }
            return;
        }
        if (type.equals("result")) {
            result.complete(frame.path("output"));
        } else {
            result.completeExceptionally(fromFrame(frame));
        }
    }

    private FunctionCallException fromFrame(JsonNode frame) {
        String code = frame.path("code").asText();
        String message = frame.path("message").asText();
        return switch (code) {
            case "THREW" -> threw(frame.path("exception"));
            case "NOT_LOADED" ->
                new FunctionCallException(FunctionCallException.Failure.NOT_LOADED, context.name(), message);
            default -> failure(code + ": " + message);
        };
    }

    /** The function's exception, its causes as a chain of {@link RemoteCauseException}s with their stack traces. */
    private FunctionCallException threw(JsonNode exception) {
        List<JsonNode> chain = new ArrayList<>();
        for (JsonNode e = exception; e.isObject() && chain.size() < 16; e = e.path("cause")) {
            chain.add(e);
        }
        Throwable cause = null;
        for (int i = chain.size() - 1; i >= 0; i--) {
            JsonNode e = chain.get(i);
            RemoteCauseException link = new RemoteCauseException(
                    e.path("class").asText(),
                    e.hasNonNull("message") ? e.get("message").asText() : null,
                    cause);
            link.setStackTrace(stack(e));
            cause = link;
        }
        String remoteClass = exception.path("class").asText();
        String remoteMessage =
                exception.hasNonNull("message") ? exception.get("message").asText() : null;
        return new FunctionCallException(
                FunctionCallException.Failure.THREW,
                context.name(),
                "the function threw " + remoteClass + (remoteMessage == null ? "" : ": " + remoteMessage),
                remoteClass,
                remoteMessage,
                stack(exception),
                cause);
    }

    private static StackTraceElement[] stack(JsonNode exception) {
        List<StackTraceElement> frames = new ArrayList<>();
        for (JsonNode f : exception.path("stack")) {
            frames.add(new StackTraceElement(
                    f.path("class").asText(),
                    f.path("method").asText(),
                    f.hasNonNull("file") ? f.get("file").asText() : null,
                    f.path("line").asInt(-1)));
        }
        return frames.toArray(new StackTraceElement[0]);
    }

    private void keepStderr(ByteString bytes) {
        stderr = stderr.concat(bytes);
        int newline;
        while ((newline = stderr.indexOf((byte) '\n')) >= 0) {
            String line = stderr.slice(0, newline).utf8String();
            stderr = stderr.drop(newline + 1).compact();
            getContext().getLog().debug("[{}] function worker: {}", context.name(), line);
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
                        ? "the function worker's output ended"
                        : "the function worker's stream failed: " + m.error().getMessage());
        return this;
    }

    private void workerGone(String why) {
        if (stdin == null) {
            return;
        }
        try {
            stdin.complete(); // the worker sees end of input and exits
        } catch (IllegalStateException streamEndedFirst) {
            // The exec stream ended or was cancelled before: nothing left to close.
        }
        stdin = null;
        running = null;
        generation++; // later output of the old worker is stale
        String tail = stderrTail.isEmpty() ? "" : "; its last words: " + String.join("\n", stderrTail);
        pending.values().forEach(result -> result.completeExceptionally(failure(why + tail)));
        pending.clear();
    }

    private FunctionCallException failure(String message) {
        return new FunctionCallException(FunctionCallException.Failure.WORKER_FAILED, context.name(), message);
    }

    private static Throwable unwrap(Throwable error) {
        while (error instanceof CompletionException && error.getCause() != null) {
            error = error.getCause();
        }
        return error;
    }
}

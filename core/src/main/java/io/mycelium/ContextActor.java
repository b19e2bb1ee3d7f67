package io.mycelium;

import io.mycelium.transport.AgentLink;
import io.mycelium.transport.Transport;
import io.mycelium.wire.ErrorCode;
import io.mycelium.wire.Frame;
import io.mycelium.wire.Message;
import io.mycelium.wire.MessageRegistry;
import io.mycelium.wire.OperationFailedException;
import io.mycelium.wire.WireProtocolException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * The actor that owns one agent connection and supervises one child actor per open stream. It connects on the first
 * request (and again on the first request after the connection was lost), checks the handshake, routes the agent's
 * frames to the stream they belong to, and keeps the connection honest with pings. When the connection is lost every
 * open operation fails at once with {@link ConnectionLostException} naming this context.
 *
 * <p>Three states: idle (no connection; a request starts one), connecting (requests wait in the stash), ready.
 */
final class ContextActor {

    /** Everything the actor handles. */
    sealed interface Command {}

    /** A caller's request; it can be failed without running. */
    sealed interface Request extends Command {
        void fail(MyceliumException error);
    }

    record StartExec(Message.ExecStart request, Source<ByteString, ?> stdin, ExecStreamActor.Reply reply)
            implements Request {
        @Override
        public void fail(MyceliumException error) {
            reply.fail(error);
        }
    }

    /** Starts a child link's program on the agent's host: an exec stream whose bytes are a child's connection. */
    record StartChild(Message.ChildStart request, Source<ByteString, ?> stdin, ExecStreamActor.Reply reply)
            implements Request {
        @Override
        public void fail(MyceliumException error) {
            reply.fail(error);
        }
    }

    record StartPut(Path local, String remote, CompletableFuture<TransferResult> result) implements Request {
        @Override
        public void fail(MyceliumException error) {
            result.completeExceptionally(error);
        }
    }

    record StartGet(String remote, Path local, CompletableFuture<TransferResult> result) implements Request {
        @Override
        public void fail(MyceliumException error) {
            result.completeExceptionally(error);
        }
    }

    record Ping(CompletableFuture<Duration> result) implements Request {
        @Override
        public void fail(MyceliumException error) {
            result.completeExceptionally(error);
        }
    }

    record EnsureAgent(CompletableFuture<AgentInfo> result) implements Request {
        @Override
        public void fail(MyceliumException error) {
            result.completeExceptionally(error);
        }
    }

    /** Ends the connection and stops the actor; open operations fail. */
    record Close(CompletableFuture<Void> done) implements Command {}

    /** A stream actor caught the agent breaking the protocol: the connection cannot be trusted any more. */
    record ProtocolViolation(WireProtocolException error) implements Command {}

    record InboundInit(int generation, ActorRef<StreamCommand.Ack> ackTo) implements Command {}

    record InboundMessage(int generation, ActorRef<StreamCommand.Ack> ackTo, AgentWire.Inbound inbound)
            implements Command {}

    record InboundEnded(int generation, Throwable error) implements Command {}

    private record Opened(int generation, AgentLink link, Throwable error) implements Command {}

    private record HandshakeTimedOut(int generation) implements Command {}

    private record ConnectNow(int generation) implements Command {}

    private record StreamEnded(int streamId) implements Command {}

    private enum KeepaliveTick implements Command {
        INSTANCE
    }

    static Behavior<Command> create(String name, Transport transport, ContextSettings settings) {
        return Behaviors.withStash(
                10_000,
                stash -> Behaviors.withTimers(timers -> Behaviors.setup(
                        context -> new ContextActor(name, transport, settings, context, stash, timers).idle())));
    }

    private final String name;
    private final Transport transport;
    private final ContextSettings settings;
    private final ActorContext<Command> context;
    private final StashBuffer<Command> stash;
    private final TimerScheduler<Command> timers;
    private final Map<Integer, OpenStream> streams = new HashMap<>();
    private final Map<Long, PendingPing> pings = new HashMap<>();
    private int generation;
    private AgentLink link;
    private Outbox outbox;
    private Message.Hello agentHello;
    private long connectStartedNanos;
    private AgentInfo agentInfo;
    private int nextStreamId = 1;
    private int failures;
    private long lastFailureNanos;
    private long lastActivityNanos;
    private long nextPingId = 1;

    private record PendingPing(long sentNanos, CompletableFuture<Duration> result) {}

    /** A stream's actor and the request it serves, so a crashed actor still leaves its caller an answer. */
    private record OpenStream(ActorRef<StreamCommand> actor, Request request) {}

    private ContextActor(
            String name,
            Transport transport,
            ContextSettings settings,
            ActorContext<Command> context,
            StashBuffer<Command> stash,
            TimerScheduler<Command> timers) {
        this.name = name;
        this.transport = transport;
        this.settings = settings;
        this.context = context;
        this.stash = stash;
        this.timers = timers;
    }

    private Behavior<Command> idle() {
        return Behaviors.receive(Command.class)
                .onMessage(Request.class, request -> {
                    stash.stash(request);
                    return connect();
                })
                .onMessage(Close.class, this::close)
                .onMessage(StreamEnded.class, m -> Behaviors.same())
                .onAnyMessage(this::ignoreStale)
                .onSignal(PostStop.class, s -> stopped())
                .build();
    }

    /**
     * Starts a connection, at once after a success or the first failure, later after repeated failures (exponential
     * backoff), so callers hammering a dead host do not hammer it with SSH connections too.
     */
    private Behavior<Command> connect() {
        generation++;
        long delay = failures == 0
                ? 0
                : Math.min(
                        settings.reconnectBackoffMax().toNanos(),
                        settings.reconnectBackoffMin().toNanos() << Math.min(failures - 1, 16));
        long wait = delay - (System.nanoTime() - lastFailureNanos);
        if (wait > 0) {
            timers.startSingleTimer(new ConnectNow(generation), Duration.ofNanos(wait));
        } else {
            startOpening();
        }
        return connecting();
    }

    private void startOpening() {
        int attempt = generation;
        connectStartedNanos = System.nanoTime();
        context.pipeToSelf(
                CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                return transport.open();
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        },
                        context.getSystem().dispatchers().lookup(DispatcherSelector.blocking())),
                (opened, error) -> new Opened(attempt, opened, error));
    }

    private Behavior<Command> connecting() {
        return Behaviors.receive(Command.class)
                .onMessage(Request.class, request -> {
                    stash.stash(request);
                    return Behaviors.same();
                })
                .onMessage(Opened.class, this::onOpened)
                .onMessage(ConnectNow.class, m -> m.generation() == generation, m -> {
                    startOpening();
                    return Behaviors.same();
                })
                .onMessage(InboundInit.class, this::current, m -> {
                    m.ackTo().tell(StreamCommand.Ack.INSTANCE);
                    return Behaviors.same();
                })
                .onMessage(InboundMessage.class, this::current, this::onHandshakeMessage)
                .onMessage(InboundEnded.class, this::current, m -> connectFailed(lostError(m.error())))
                .onMessage(
                        HandshakeTimedOut.class,
                        m -> m.generation() == generation,
                        m -> connectFailed(Errors.of(
                                ErrorCode.CONNECTION_LOST,
                                name,
                                "the agent did not answer within " + settings.handshakeTimeout() + " of starting on "
                                        + transport.describe(),
                                null)))
                .onMessage(Close.class, this::close)
                .onAnyMessage(this::ignoreStale)
                .onSignal(PostStop.class, s -> stopped())
                .build();
    }

    private Behavior<Command> onOpened(Opened opened) {
        if (opened.generation() != generation) {
            if (opened.link() != null) {
                opened.link().close();
            }
            return Behaviors.same();
        }
        if (opened.error() != null) {
            Throwable cause = opened.error() instanceof CompletionException c ? c.getCause() : opened.error();
            Throwable root = cause instanceof UncheckedIOException u ? u.getCause() : cause;
            if (root instanceof OperationFailedException failure) {
                return connectFailed(Errors.of(failure.code(), name, failure.getMessage(), failure));
            }
            return connectFailed(Errors.of(
                    ErrorCode.CONNECTION_LOST,
                    name,
                    "cannot start the agent on " + transport.describe() + ": " + root.getMessage(),
                    root));
        }
        link = opened.link();
        // The transport bounded its own start (an SSH bootstrap may upload a runtime); the agent then gets this long.
        timers.startSingleTimer(new HandshakeTimedOut(generation), settings.handshakeTimeout());
        outbox = AgentWire.connect(link, settings, context.getSelf(), generation, context.getSystem());
        outbox.send(
                Frame.CONTROL_STREAM,
                new Message.Hello(
                        MessageRegistry.PROTOCOL_VERSION,
                        MessageRegistry.hash(),
                        "mycelium-controller/0.1.0",
                        ProcessHandle.current().pid(),
                        System.getProperty("java.version"),
                        System.getProperty("os.name"),
                        System.getProperty("os.arch"),
                        settings.initialWindow(),
                        settings.maxFrameLength()));
        return Behaviors.same();
    }

    private Behavior<Command> onHandshakeMessage(InboundMessage m) {
        m.ackTo().tell(StreamCommand.Ack.INSTANCE);
        if (m.inbound().violation() != null) {
            return connectFailed(lostError(m.inbound().violation()));
        }
        Message message = m.inbound().message();
        if (m.inbound().streamId() == Frame.CONTROL_STREAM && message instanceof Message.Failure failure) {
            return connectFailed(Errors.fromRemote(name, failure));
        }
        if (m.inbound().streamId() != Frame.CONTROL_STREAM || !(message instanceof Message.Hello hello)) {
            return connectFailed(Errors.of(
                    ErrorCode.PROTOCOL_ERROR,
                    name,
                    "expected the agent's Hello, got " + message.getClass().getSimpleName(),
                    null));
        }
        if (hello.protocolVersion() != MessageRegistry.PROTOCOL_VERSION
                || !MessageRegistry.hash().equals(hello.registryHash())) {
            return connectFailed(Errors.of(
                    ErrorCode.PROTOCOL_MISMATCH,
                    name,
                    "agent " + hello.software() + " speaks protocol " + hello.protocolVersion() + " (registry "
                            + abbreviate(hello.registryHash()) + "), this controller speaks protocol "
                            + MessageRegistry.PROTOCOL_VERSION + " (registry " + abbreviate(MessageRegistry.hash())
                            + "): deploy matching versions",
                    null));
        }
        if (hello.initialWindow() <= 0 || hello.maxFrameLength() < settings.chunkSize() + 256) {
            return connectFailed(Errors.of(
                    ErrorCode.PROTOCOL_ERROR, name, "the agent announced an unusable window or frame limit", null));
        }
        agentHello = hello;
        outbox.limitFrames(hello.maxFrameLength());
        agentInfo = new AgentInfo(
                hello.software(),
                hello.pid(),
                hello.javaVersion(),
                hello.os(),
                hello.arch(),
                transport.describe(),
                link.loadPath(),
                Duration.ofNanos(System.nanoTime() - connectStartedNanos),
                link.banner());
        timers.cancel(new HandshakeTimedOut(generation));
        timers.startTimerWithFixedDelay(KeepaliveTick.INSTANCE, settings.keepaliveInterval());
        failures = 0;
        lastActivityNanos = System.nanoTime();
        context.getLog().debug("context {} connected: {}", name, agentInfo);
        return stash.unstashAll(ready());
    }

    private Behavior<Command> connectFailed(MyceliumException error) {
        timers.cancel(new HandshakeTimedOut(generation));
        failures++;
        lastFailureNanos = System.nanoTime();
        dropLink();
        stash.forEach(command -> {
            if (command instanceof Request request) {
                request.fail(error);
            }
        });
        stash.clear();
        return idle();
    }

    private Behavior<Command> ready() {
        return Behaviors.receive(Command.class)
                .onMessage(
                        StartExec.class,
                        m -> open(m, m.request(), setup -> ExecStreamActor.create(setup, m.stdin(), m.reply()), "exec"))
                .onMessage(
                        StartChild.class,
                        m -> open(
                                m, m.request(), setup -> ExecStreamActor.create(setup, m.stdin(), m.reply()), "child"))
                .onMessage(
                        StartPut.class,
                        m -> open(
                                m,
                                new Message.PutStart(m.remote()),
                                setup -> PutStreamActor.create(setup, m.local(), m.remote(), m.result()),
                                "put"))
                .onMessage(
                        StartGet.class,
                        m -> open(
                                m,
                                new Message.GetStart(m.remote()),
                                setup -> GetStreamActor.create(setup, m.remote(), m.local(), m.result()),
                                "get"))
                .onMessage(Ping.class, m -> {
                    sendPing(m.result());
                    return Behaviors.same();
                })
                .onMessage(EnsureAgent.class, m -> {
                    m.result().complete(agentInfo);
                    return Behaviors.same();
                })
                .onMessage(InboundInit.class, this::current, m -> {
                    m.ackTo().tell(StreamCommand.Ack.INSTANCE);
                    return Behaviors.same();
                })
                .onMessage(InboundMessage.class, this::current, this::route)
                .onMessage(InboundEnded.class, this::current, m -> lose(lostError(m.error())))
                .onMessage(
                        ProtocolViolation.class,
                        m -> lose(Errors.of(
                                ErrorCode.PROTOCOL_ERROR, name, m.error().getMessage(), m.error())))
                .onMessage(KeepaliveTick.class, m -> keepalive())
                .onMessage(StreamEnded.class, this::onStreamEnded)
                .onMessage(Close.class, this::close)
                .onAnyMessage(this::ignoreStale)
                .onSignal(PostStop.class, s -> stopped())
                .build();
    }

    private Behavior<Command> onStreamEnded(StreamEnded ended) {
        lastActivityNanos = System.nanoTime();
        OpenStream stream = streams.remove(ended.streamId());
        if (stream != null) {
            // A no-op when the actor answered before it stopped, which is the normal case.
            stream.request()
                    .fail(Errors.of(
                            ErrorCode.INTERNAL,
                            name,
                            "the operation on stream " + ended.streamId() + " ended without a result",
                            null));
        }
        return Behaviors.same();
    }

    /**
     * Opens a stream: sends its first message here, so streams reach the agent in the order of their ids, then
     * spawns the actor that carries the operation on.
     */
    private Behavior<Command> open(
            Request request, Message first, Function<StreamSetup, Behavior<StreamCommand>> behavior, String kind) {
        int id = nextStreamId;
        lastActivityNanos = System.nanoTime();
        try {
            outbox.send(id, first);
        } catch (WireProtocolException tooLarge) {
            request.fail(Errors.of(
                    ErrorCode.INVALID_REQUEST,
                    name,
                    "the request is too large to send: " + tooLarge.getMessage(),
                    null));
            return Behaviors.same();
        }
        nextStreamId += 2;
        StreamSetup setup = new StreamSetup(
                id,
                name,
                outbox,
                context.getSelf(),
                agentHello.initialWindow(),
                settings.initialWindow(),
                Math.min(settings.chunkSize(), agentHello.maxFrameLength() - 256));
        ActorRef<StreamCommand> child = context.spawn(behavior.apply(setup), kind + "-" + id);
        context.watchWith(child, new StreamEnded(id));
        streams.put(id, new OpenStream(child, request));
        return Behaviors.same();
    }

    private Behavior<Command> route(InboundMessage m) {
        m.ackTo().tell(StreamCommand.Ack.INSTANCE);
        if (m.inbound().violation() != null) {
            return lose(lostError(m.inbound().violation()));
        }
        int id = m.inbound().streamId();
        Message message = m.inbound().message();
        if (id == Frame.CONTROL_STREAM) {
            return control(message);
        }
        OpenStream stream = streams.get(id);
        if (stream != null) {
            stream.actor().tell(new StreamCommand.FromAgent(message));
        } else if ((id & 1) == 0 || Integer.compareUnsigned(id, nextStreamId) >= 0) {
            return lose(Errors.of(
                    ErrorCode.PROTOCOL_ERROR,
                    name,
                    "the agent sent " + message.getClass().getSimpleName() + " on stream "
                            + Integer.toUnsignedString(id) + ", which was never opened",
                    null));
        }
        // Otherwise the operation ended a moment ago and this message crossed its end.
        return Behaviors.same();
    }

    private Behavior<Command> control(Message message) {
        if (message instanceof Message.Pong pong) {
            PendingPing ping = pings.remove(pong.id());
            if (ping != null && ping.result() != null) {
                ping.result().complete(Duration.ofNanos(System.nanoTime() - ping.sentNanos()));
            }
            return Behaviors.same();
        }
        if (message instanceof Message.Failure failure) {
            return lose(Errors.fromRemote(name, failure));
        }
        if (message instanceof Message.Goodbye goodbye) {
            return lose(
                    Errors.of(ErrorCode.CONNECTION_LOST, name, "the agent said goodbye: " + goodbye.reason(), null));
        }
        return lose(Errors.of(
                ErrorCode.PROTOCOL_ERROR,
                name,
                "unexpected " + message.getClass().getSimpleName() + " on the control stream",
                null));
    }

    private void sendPing(CompletableFuture<Duration> result) {
        long id = nextPingId++;
        pings.put(id, new PendingPing(System.nanoTime(), result));
        outbox.send(Frame.CONTROL_STREAM, new Message.Ping(id));
    }

    private Behavior<Command> keepalive() {
        long now = System.nanoTime();
        if (streams.isEmpty()
                && now - lastActivityNanos > settings.idleTimeout().toNanos()) {
            // Idle for long: let the agent go; the next operation connects again.
            context.getLog().debug("context {} idle for {}, closing its connection", name, settings.idleTimeout());
            outbox.send(Frame.CONTROL_STREAM, new Message.Goodbye("idle for " + settings.idleTimeout()));
            timers.cancel(KeepaliveTick.INSTANCE);
            dropLink();
            return idle();
        }
        for (PendingPing ping : pings.values()) {
            if (now - ping.sentNanos() > settings.keepaliveTimeout().toNanos()) {
                return lose(Errors.of(
                        ErrorCode.CONNECTION_LOST,
                        name,
                        "the agent on " + transport.describe() + " did not answer a ping within "
                                + settings.keepaliveTimeout(),
                        null));
            }
        }
        if (pings.isEmpty()) {
            sendPing(null);
        }
        return Behaviors.same();
    }

    private Behavior<Command> lose(MyceliumException error) {
        context.getLog().warn("context {} lost its agent: {}", name, error.getMessage());
        streams.values().forEach(stream -> stream.actor().tell(new StreamCommand.Lost(error)));
        streams.clear();
        pings.values().forEach(ping -> {
            if (ping.result() != null) {
                ping.result().completeExceptionally(error);
            }
        });
        pings.clear();
        timers.cancel(KeepaliveTick.INSTANCE);
        dropLink();
        return idle();
    }

    private Behavior<Command> close(Close close) {
        if (outbox != null) {
            outbox.send(Frame.CONTROL_STREAM, new Message.Goodbye("context " + name + " closed"));
        }
        MyceliumException error = Errors.of(ErrorCode.CONNECTION_LOST, name, "the context was closed", null);
        streams.values().forEach(stream -> stream.actor().tell(new StreamCommand.Lost(error)));
        stash.forEach(command -> {
            if (command instanceof Request request) {
                request.fail(error);
            }
        });
        stash.clear();
        dropLink();
        close.done().complete(null);
        return Behaviors.stopped();
    }

    private Behavior<Command> stopped() {
        dropLink();
        return Behaviors.same();
    }

    private void dropLink() {
        generation++;
        if (outbox != null) {
            outbox.complete();
            outbox = null;
        }
        if (link != null) {
            link.close();
            link = null;
        }
        agentHello = null;
        agentInfo = null;
    }

    private Behavior<Command> ignoreStale(Command command) {
        // Messages of an earlier connection (late inbound frames, a finished ack) carry an old generation.
        if (command instanceof InboundMessage m) {
            m.ackTo().tell(StreamCommand.Ack.INSTANCE);
        } else if (command instanceof InboundInit m) {
            m.ackTo().tell(StreamCommand.Ack.INSTANCE);
        } else if (command instanceof Opened opened && opened.link() != null) {
            opened.link().close();
        }
        return Behaviors.same();
    }

    private MyceliumException lostError(Throwable error) {
        String diagnostics = link == null ? "" : link.diagnostics();
        String said =
                diagnostics.isEmpty() ? "" : " (" + transport.describe() + " said: " + lastLine(diagnostics) + ")";
        if (error instanceof WireProtocolException protocol) {
            int stage1 = protocol.getMessage().indexOf(STAGE1_ERROR);
            if (stage1 >= 0) {
                // Stage 1 refused to start the agent after the plan: its own line says why.
                String line = protocol.getMessage().substring(stage1 + STAGE1_ERROR.length());
                int offset = line.lastIndexOf(" (at byte offset");
                String[] codeAndReason =
                        (offset > 0 ? line.substring(0, offset) : line).strip().split(" ", 2);
                String reason =
                        codeAndReason.length == 2 ? codeAndReason[1] + " (" + codeAndReason[0] + ")" : codeAndReason[0];
                return Errors.of(ErrorCode.BOOTSTRAP_FAILED, name, transport.describe() + ": " + reason, protocol);
            }
            return Errors.of(ErrorCode.PROTOCOL_ERROR, name, protocol.getMessage() + said, protocol);
        }
        String why = (error == null ? "the agent's output ended" : "reading from the agent failed: " + error) + said;
        return Errors.of(
                ErrorCode.CONNECTION_LOST, name, "connection to " + transport.describe() + " lost: " + why, error);
    }

    private static final String STAGE1_ERROR = "MYCELIUM-ERROR ";

    private static String lastLine(String text) {
        return text.lines().reduce((first, second) -> second).orElse(text);
    }

    private boolean current(InboundInit m) {
        return m.generation() == generation;
    }

    private boolean current(InboundMessage m) {
        return m.generation() == generation;
    }

    private boolean current(InboundEnded m) {
        return m.generation() == generation;
    }

    private static String abbreviate(String hash) {
        return hash == null ? "none" : hash.substring(0, Math.min(12, hash.length()));
    }
}

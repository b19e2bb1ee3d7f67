package io.mycelium.agent;

import io.mycelium.wire.ErrorCode;
import io.mycelium.wire.Frame;
import io.mycelium.wire.FrameDecoder;
import io.mycelium.wire.Message;
import io.mycelium.wire.MessageCodec;
import io.mycelium.wire.MessageRegistry;
import io.mycelium.wire.OperationFailedException;
import io.mycelium.wire.WireProtocolException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The agent's side of one controller connection: reads frames from stdin on the calling thread, checks the handshake,
 * and routes every stream's messages to its {@link AgentStream}. Streams opened by the controller have odd ids that
 * only grow, so a message for a stream that ended a moment ago (a late credit grant) is told apart from one for a
 * stream that never existed, which is a protocol error.
 */
final class AgentConnection {
    static final int CHUNK = 64 * 1024;
    static final String SOFTWARE = "mycelium-agent/0.1.0";

    private final Settings settings;
    private final Outbound outbound;
    private final ProcessLauncher launcher;
    private final OrphanGuard guard;
    private final ThreadPoolExecutor workers;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "timer"));
    private final Map<Integer, AgentStream> streams = new ConcurrentHashMap<>();
    private int highestOpened;
    private int peerWindow;
    private boolean handshakeDone;

    record Settings(int maxFrameLength, int initialWindow, int maxWorkers) {}

    AgentConnection(Settings settings, Outbound outbound, ProcessLauncher launcher, OrphanGuard guard) {
        this.settings = settings;
        this.outbound = outbound;
        this.launcher = launcher;
        this.guard = guard;
        this.workers = new ThreadPoolExecutor(
                0, settings.maxWorkers(), 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> daemon(r, "worker"));
    }

    static Message.Hello hello(Settings settings) {
        return new Message.Hello(
                MessageRegistry.PROTOCOL_VERSION,
                MessageRegistry.hash(),
                SOFTWARE,
                ProcessHandle.current().pid(),
                System.getProperty("java.version"),
                System.getProperty("os.name"),
                System.getProperty("os.arch"),
                settings.initialWindow(),
                settings.maxFrameLength());
    }

    /** Reads until stdin closes or the protocol breaks; then stops every stream. */
    void serve(InputStream in) {
        FrameDecoder decoder = new FrameDecoder(settings.maxFrameLength(), false);
        MessageCodec codec = new MessageCodec(settings.maxFrameLength());
        byte[] buffer = new byte[CHUNK];
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                decoder.feed(buffer, 0, n, frame -> dispatch(frame, codec.decode(frame)));
            }
            decoder.finish();
        } catch (WireProtocolException e) {
            send(Frame.CONTROL_STREAM, failure(ErrorCode.PROTOCOL_ERROR, "agent: " + e.getMessage()));
        } catch (OperationFailedException e) {
            send(Frame.CONTROL_STREAM, OperationFailedException.toFailure(e));
        } catch (IOException e) {
            // stdin broke: the controller is gone, same as EOF.
        } finally {
            streams.values().forEach(AgentStream::abort);
            guard.close();
            outbound.drainAndStop(2000);
        }
    }

    private void dispatch(Frame frame, Message message) {
        int id = frame.streamId();
        if (!handshakeDone) {
            handshake(id, message);
            return;
        }
        if (id == Frame.CONTROL_STREAM) {
            control(message);
            return;
        }
        AgentStream stream = streams.get(id);
        if (stream != null) {
            stream.onMessage(message);
        } else if (message instanceof Message.ExecStart
                || message instanceof Message.ChildStart
                || message instanceof Message.PutStart
                || message instanceof Message.GetStart) {
            open(id, message);
        } else if ((id & 1) == 0 || Integer.compareUnsigned(id, highestOpened) > 0) {
            throw new WireProtocolException(
                    -1,
                    message.getClass().getSimpleName() + " for stream " + Integer.toUnsignedString(id)
                            + ", which was never opened");
        }
        // Otherwise the stream ended a moment ago and this message (a grant, a cancel) crossed its end: drop it.
    }

    private void handshake(int id, Message message) {
        if (id != Frame.CONTROL_STREAM || !(message instanceof Message.Hello hello)) {
            throw new WireProtocolException(
                    -1,
                    "expected the controller's Hello, got " + message.getClass().getSimpleName());
        }
        if (hello.protocolVersion() != MessageRegistry.PROTOCOL_VERSION
                || !MessageRegistry.hash().equals(hello.registryHash())) {
            throw new OperationFailedException(
                    ErrorCode.PROTOCOL_MISMATCH,
                    "controller " + hello.software() + " speaks protocol " + hello.protocolVersion() + " (registry "
                            + abbreviate(hello.registryHash()) + "), agent " + SOFTWARE + " speaks protocol "
                            + MessageRegistry.PROTOCOL_VERSION + " (registry " + abbreviate(MessageRegistry.hash())
                            + "): use matching versions",
                    null);
        }
        if (hello.initialWindow() <= 0 || hello.maxFrameLength() < CHUNK + 256) {
            throw new WireProtocolException(-1, "controller announced an unusable window or frame limit");
        }
        peerWindow = hello.initialWindow();
        handshakeDone = true;
    }

    private void control(Message message) {
        if (message instanceof Message.Ping ping) {
            send(Frame.CONTROL_STREAM, new Message.Pong(ping.id()));
        } else if (message instanceof Message.Goodbye) {
            throw new ShutdownRequested();
        } else {
            throw new WireProtocolException(
                    -1, "unexpected " + message.getClass().getSimpleName() + " on stream 0");
        }
    }

    private void open(int id, Message message) {
        if ((id & 1) == 0 || Integer.compareUnsigned(id, highestOpened) <= 0) {
            throw new WireProtocolException(-1, "stream " + Integer.toUnsignedString(id) + " reused or not odd");
        }
        highestOpened = id;
        try {
            if (message instanceof Message.ExecStart start) {
                ExecStream stream = new ExecStream(id, this, start);
                streams.put(id, stream);
                stream.start();
            } else if (message instanceof Message.ChildStart start) {
                openChild(id, start);
            } else if (message instanceof Message.PutStart start) {
                PutStream stream = new PutStream(id, this, start);
                streams.put(id, stream);
                stream.start();
            } else if (message instanceof Message.GetStart start) {
                GetStream stream = new GetStream(id, this, start);
                streams.put(id, stream);
                stream.start();
            }
        } catch (RejectedExecutionException e) {
            streams.remove(id);
            send(id, failure(ErrorCode.AGENT_BUSY, "agent: all " + settings.maxWorkers() + " worker threads are busy"));
        }
    }

    /**
     * A child link: an exec of the program that reaches the child host. What the program prints is the child's
     * connection, forwarded as this stream's output and never read here, so a child can only ever speak on its own
     * stream: it cannot reach this agent's control stream, its other streams, or a sibling's.
     */
    private void openChild(int id, Message.ChildStart start) {
        ChildFiles.Prepared prepared;
        try {
            prepared = ChildFiles.prepare(start);
        } catch (OperationFailedException e) {
            send(id, OperationFailedException.toFailure(e));
            return;
        }
        ExecStream stream = new ExecStream(id, this, prepared.exec(), prepared.files());
        streams.put(id, stream);
        try {
            stream.start();
        } catch (RejectedExecutionException e) {
            if (prepared.files() != null) {
                prepared.files().remove();
            }
            throw e;
        }
    }

    /** Sends the last message of a stream and forgets the stream; a stream ends once, later calls do nothing. */
    void finish(int id, Message last) {
        if (streams.remove(id) != null) {
            send(id, last);
        }
    }

    void send(int id, Message message) {
        outbound.send(id, message);
    }

    void work(Runnable task) {
        workers.execute(task);
    }

    /** Runs the body of stream {@code id}; a bug that escapes it still ends the stream with a Failure. */
    void runStream(int id, Runnable body) {
        workers.execute(() -> {
            try {
                body.run();
            } catch (RuntimeException | Error e) {
                finish(id, OperationFailedException.toFailure(e));
            }
        });
    }

    ProcessLauncher launcher() {
        return launcher;
    }

    OrphanGuard guard() {
        return guard;
    }

    ScheduledExecutorService timer() {
        return timer;
    }

    int peerWindow() {
        return peerWindow;
    }

    int ownWindow() {
        return settings.initialWindow();
    }

    private static Message.Failure failure(ErrorCode code, String message) {
        return new Message.Failure(code, message, new Message.RemoteCause[0]);
    }

    private static String abbreviate(String hash) {
        return hash == null ? "none" : hash.substring(0, Math.min(12, hash.length()));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, "mycelium-" + name);
        t.setDaemon(true);
        return t;
    }

    /** The controller said Goodbye: leave the read loop like at end of input. */
    static final class ShutdownRequested extends RuntimeException {
        ShutdownRequested() {
            super("controller said goodbye", null, false, false);
        }
    }
}

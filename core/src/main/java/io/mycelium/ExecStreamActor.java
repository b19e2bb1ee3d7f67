package io.mycelium;

import io.mycelium.wire.CreditWindow;
import io.mycelium.wire.ErrorCode;
import io.mycelium.wire.Message;
import io.mycelium.wire.ReceiveWindow;
import io.mycelium.wire.WireProtocolException;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;
import org.apache.pekko.util.ByteString;

/**
 * One process run on the agent. Either collects its output for {@link Context#procExec} or hands it to the caller's
 * stream for {@link Context#procStream}, granting the agent credit only as the caller consumes, so back-pressure
 * reaches the remote process. Streams the caller's stdin under the agent's credit.
 */
final class ExecStreamActor extends AbstractBehavior<StreamCommand> {

    /** Where the outcome goes. */
    sealed interface Reply {
        void fail(MyceliumException error);
    }

    /** Collect everything into one result. */
    record Collect(CompletableFuture<ExecResult> result, int maxBytes) implements Reply {
        @Override
        public void fail(MyceliumException error) {
            result.completeExceptionally(error);
        }
    }

    /** Hand every piece of output to the caller's stream as it arrives. */
    record Stream(SourceQueueWithComplete<ExecOutput> queue, AtomicBoolean completed) implements Reply {
        Stream(SourceQueueWithComplete<ExecOutput> queue) {
            this(queue, new AtomicBoolean());
        }

        @Override
        public void fail(MyceliumException error) {
            // Once completed, the queue may still hold output the caller has not asked for yet (a slow or remote
            // consumer): failing it now would drop that output, the exit included.
            if (!completed.get()) {
                queue.fail(error);
            }
        }
    }

    private final StreamSetup setup;
    private final Reply reply;
    private final ReceiveWindow stdoutWindow;
    private final ReceiveWindow stderrWindow;
    private final CreditWindow stdinCredit;
    private final QueueFeeder<ExecOutput> feeder;
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    // The channel of every output element handed to the feeder, in order, so its credit goes to the right window.
    private final ArrayDeque<Message.Channel> pendingChannels = new ArrayDeque<>();
    private boolean truncated;
    private long pid = -1;
    private ByteString pendingStdin = ByteString.emptyByteString();
    private ActorRef<StreamCommand.Ack> stdinAckTo;
    private boolean stdinDone;
    private boolean cancelRequested;
    private MyceliumException cancelCause;

    /** The actor for an exec whose {@link Message.ExecStart} the context has already sent. */
    static Behavior<StreamCommand> create(StreamSetup setup, Source<ByteString, ?> stdin, Reply reply) {
        return Behaviors.setup(context -> new ExecStreamActor(context, setup, stdin, reply));
    }

    private ExecStreamActor(
            ActorContext<StreamCommand> context, StreamSetup setup, Source<ByteString, ?> stdin, Reply reply) {
        super(context);
        this.setup = setup;
        this.reply = reply;
        this.stdoutWindow = new ReceiveWindow(setup.ownWindow());
        this.stderrWindow = new ReceiveWindow(setup.ownWindow());
        this.stdinCredit = new CreditWindow(setup.peerWindow());
        this.feeder = reply instanceof Stream s ? new QueueFeeder<>(s.queue(), context) : null;
        ActorRef<StreamCommand> self = context.getSelf();
        if (reply instanceof Collect c) {
            StreamCommand.cancelWhenCancelled(c.result(), self);
        } else if (reply instanceof Stream s) {
            // The caller cancelling its stream completes the queue: the process has no reader any more.
            s.queue().watchCompletion().whenComplete((d, e) -> self.tell(new StreamCommand.CancelRequested()));
        }
        if (stdin != null) {
            stdin.runWith(StreamCommand.pulledBy(self, StreamCommand.StdinElement::new), context.getSystem());
        }
    }

    @Override
    public Receive<StreamCommand> createReceive() {
        return newReceiveBuilder()
                .onMessage(StreamCommand.FromAgent.class, m -> onAgent(m.message()))
                .onMessage(StreamCommand.Offered.class, this::onOffered)
                .onMessage(StreamCommand.Drained.class, m -> {
                    feeder.onDrained();
                    return Behaviors.stopped();
                })
                .onMessage(StreamCommand.SourceInit.class, m -> {
                    m.ackTo().tell(StreamCommand.Ack.INSTANCE);
                    return this;
                })
                .onMessage(StreamCommand.StdinElement.class, this::onStdin)
                .onMessage(StreamCommand.SourceDone.class, m -> {
                    stdinDone = true;
                    sendStdin();
                    return this;
                })
                .onMessage(
                        StreamCommand.SourceFailed.class,
                        m -> cancel(Errors.of(
                                ErrorCode.IO_ERROR,
                                setup.contextName(),
                                "the stdin source failed, so the process was stopped: " + m.error(),
                                m.error())))
                .onMessage(StreamCommand.CancelRequested.class, m -> cancel(null))
                .onMessage(StreamCommand.Lost.class, m -> fail(m.error()))
                .build();
    }

    private Behavior<StreamCommand> onAgent(Message message) {
        try {
            if (message instanceof Message.Output output) {
                return onOutput(output);
            } else if (message instanceof Message.ExecStarted started) {
                pid = started.pid();
                if (feeder != null) {
                    feeder.push(new ExecOutput.Started(pid), 0);
                }
                return this;
            } else if (message instanceof Message.CreditGrant grant && grant.channel() == Message.Channel.STDIN) {
                stdinCredit.grant(grant.bytes());
                sendStdin();
                return this;
            } else if (message instanceof Message.Exited exited) {
                return onExited(exited);
            } else if (message instanceof Message.Failure failure) {
                return fail(Errors.fromRemote(setup.contextName(), failure));
            }
            throw new WireProtocolException(
                    -1, "unexpected " + message.getClass().getSimpleName() + " on an exec");
        } catch (WireProtocolException e) {
            setup.parent().tell(new ContextActor.ProtocolViolation(e));
            return fail(Errors.of(ErrorCode.PROTOCOL_ERROR, setup.contextName(), e.getMessage(), e));
        }
    }

    private Behavior<StreamCommand> onOutput(Message.Output output) {
        byte[] data = output.data();
        boolean isStdout = output.channel() == Message.Channel.STDOUT;
        ReceiveWindow window = isStdout ? stdoutWindow : stderrWindow;
        window.received(data.length);
        if (reply instanceof Collect c) {
            ByteArrayOutputStream sink = isStdout ? stdout : stderr;
            int keep = Math.min(data.length, c.maxBytes() - sink.size());
            sink.write(data, 0, Math.max(keep, 0));
            truncated |= keep < data.length;
            grant(output.channel(), window.consumed(data.length));
        } else if (cancelRequested) {
            grant(output.channel(), window.consumed(data.length));
        } else {
            ByteString bytes = ByteString.fromArrayUnsafe(data);
            feeder.push(isStdout ? new ExecOutput.Stdout(bytes) : new ExecOutput.Stderr(bytes), data.length);
            pendingChannels.add(output.channel());
        }
        return this;
    }

    private Behavior<StreamCommand> onOffered(StreamCommand.Offered offered) {
        int consumed = feeder.onOffered(offered);
        if (consumed < 0) {
            return cancel(null);
        }
        if (consumed > 0) {
            Message.Channel channel = pendingChannels.poll();
            if (channel != null) {
                grant(channel, (channel == Message.Channel.STDOUT ? stdoutWindow : stderrWindow).consumed(consumed));
            }
        }
        return stopWhenFinished();
    }

    private Behavior<StreamCommand> onExited(Message.Exited exited) {
        Duration duration = Duration.ofNanos(exited.durationNanos());
        if (cancelCause != null) {
            return fail(cancelCause);
        }
        if (reply instanceof Collect c) {
            if (exited.timedOut()) {
                c.result()
                        .completeExceptionally(Errors.of(
                                ErrorCode.TIMEOUT,
                                setup.contextName(),
                                "process " + pid + " ran past its timeout and was killed after " + duration,
                                null));
            } else if (exited.cancelled()) {
                c.result()
                        .completeExceptionally(Errors.of(
                                ErrorCode.CANCELLED, setup.contextName(), "process " + pid + " was cancelled", null));
            } else {
                c.result()
                        .complete(new ExecResult(
                                pid,
                                exited.exitCode(),
                                exited.signal(),
                                stdout.toByteArray(),
                                stderr.toByteArray(),
                                truncated,
                                duration));
            }
            return Behaviors.stopped();
        }
        if (cancelRequested) {
            // The caller's stream is gone, normally; if it is not, it learns why it ends.
            return fail(Errors.of(ErrorCode.CANCELLED, setup.contextName(), "process " + pid + " was cancelled", null));
        }
        feeder.push(new ExecOutput.Exited(exited.exitCode(), exited.signal(), exited.timedOut(), duration), 0);
        feeder.completeWhenDrained();
        return stopWhenFinished();
    }

    private Behavior<StreamCommand> onStdin(StreamCommand.StdinElement element) {
        pendingStdin = pendingStdin.concat(element.bytes());
        stdinAckTo = element.ackTo();
        sendStdin();
        return this;
    }

    private void sendStdin() {
        while (!pendingStdin.isEmpty()) {
            int n = stdinCredit.tryAcquire(Math.min(setup.chunkSize(), pendingStdin.size()));
            if (n == 0) {
                return;
            }
            setup.outbox()
                    .send(
                            setup.streamId(),
                            new Message.StdinData(pendingStdin.take(n).toArray()));
            pendingStdin = pendingStdin.drop(n);
        }
        if (stdinAckTo != null) {
            stdinAckTo.tell(StreamCommand.Ack.INSTANCE);
            stdinAckTo = null;
        }
        if (stdinDone) {
            setup.outbox().send(setup.streamId(), new Message.StdinEof());
            stdinDone = false;
        }
    }

    /** Stops once the caller's stream was completed after the last element; else carries on. */
    private Behavior<StreamCommand> stopWhenFinished() {
        if (!feeder.finished()) {
            return this;
        }
        ((Stream) reply).completed().set(true);
        return Behaviors.stopped();
    }

    private void grant(Message.Channel channel, int bytes) {
        if (bytes > 0) {
            setup.outbox().send(setup.streamId(), new Message.CreditGrant(channel, bytes));
        }
    }

    /**
     * Asks the agent to kill the process; the stream ends when its exit arrives.
     *
     * @param cause why, when it was not the caller's own cancel; the caller gets it as the operation's error
     */
    private Behavior<StreamCommand> cancel(MyceliumException cause) {
        if (!cancelRequested) {
            cancelRequested = true;
            cancelCause = cause;
            setup.outbox().send(setup.streamId(), new Message.Cancel());
        }
        return this;
    }

    private Behavior<StreamCommand> fail(MyceliumException error) {
        reply.fail(error);
        return Behaviors.stopped();
    }
}

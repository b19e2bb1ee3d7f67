package io.mycelium;

import io.mycelium.transfer.TransferCredit;
import io.mycelium.transfer.TreeWriter;
import io.mycelium.wire.ErrorCode;
import io.mycelium.wire.Message;
import io.mycelium.wire.ReceiveWindow;
import io.mycelium.wire.WireProtocolException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.ActorAttributes;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;

/**
 * Receives a remote file or tree from the agent and writes it locally with a {@link TreeWriter}, which runs as a stream
 * on the blocking-I/O dispatcher. Credit goes back to the agent only as the writer's small queue takes the data, so a
 * slow disk slows the remote read instead of filling memory.
 */
final class GetStreamActor extends AbstractBehavior<StreamCommand> {
    private static final int WRITE_QUEUE = 8;

    private final StreamSetup setup;
    private final String remote;
    private final CompletableFuture<TransferResult> result;
    private final ReceiveWindow window;
    private final QueueFeeder<Message> feeder;
    private final long startedNanos = System.nanoTime();
    private boolean transferEnded;

    static Behavior<StreamCommand> create(
            StreamSetup setup, String remote, Path local, CompletableFuture<TransferResult> result) {
        return Behaviors.setup(context -> new GetStreamActor(context, setup, remote, local, result));
    }

    private GetStreamActor(
            ActorContext<StreamCommand> context,
            StreamSetup setup,
            String remote,
            Path local,
            CompletableFuture<TransferResult> result) {
        super(context);
        this.setup = setup;
        StreamCommand.cancelWhenCancelled(result, context.getSelf());
        this.remote = remote;
        this.result = result;
        this.window = new ReceiveWindow(setup.ownWindow());
        TreeWriter writer = new TreeWriter(local);
        Pair<SourceQueueWithComplete<Message>, CompletionStage<Optional<Message.TransferDone>>> stream =
                Source.<Message>queue(WRITE_QUEUE, OverflowStrategy.backpressure())
                        .map(message -> Optional.ofNullable(writer.accept(message)))
                        .withAttributes(ActorAttributes.dispatcher(
                                ActorAttributes.IODispatcher().dispatcher()))
                        .filter(Optional::isPresent)
                        .map(Optional::get)
                        .toMat(Sink.headOption(), Keep.both())
                        .run(context.getSystem());
        CompletionStage<Optional<Message.TransferDone>> written = stream.second();
        written.whenComplete((done, error) -> writer.close());
        context.pipeToSelf(
                written,
                (done, error) -> new StreamCommand.WriteFinished(done == null ? null : done.orElse(null), error));
        this.feeder = new QueueFeeder<>(stream.first(), context);
    }

    @Override
    public Receive<StreamCommand> createReceive() {
        return newReceiveBuilder()
                .onMessage(StreamCommand.FromAgent.class, m -> onAgent(m.message()))
                .onMessage(StreamCommand.Offered.class, this::onOffered)
                // The transfer ends with the writer (WriteFinished), not with the queue's completion.
                .onMessage(StreamCommand.Drained.class, m -> Behaviors.same())
                .onMessage(StreamCommand.WriteFinished.class, this::onWritten)
                .onMessage(
                        StreamCommand.CancelRequested.class,
                        m -> abort(Errors.of(
                                ErrorCode.CANCELLED, setup.contextName(), "get of " + remote + " cancelled", null)))
                .onMessage(StreamCommand.Lost.class, m -> {
                    feeder.fail(m.error());
                    return fail(m.error());
                })
                .build();
    }

    private Behavior<StreamCommand> onAgent(Message message) {
        try {
            if (message instanceof Message.FileChunk
                    || message instanceof Message.EntryHeader
                    || message instanceof Message.EntryEnd) {
                window.received(TransferCredit.cost(message));
                feeder.push(message, TransferCredit.cost(message));
            } else if (message instanceof Message.TransferEnd) {
                window.received(TransferCredit.cost(message));
                transferEnded = true;
                feeder.push(message, TransferCredit.cost(message));
                feeder.completeWhenDrained();
            } else if (message instanceof Message.Failure failure) {
                MyceliumException error = Errors.fromRemote(setup.contextName(), failure);
                feeder.fail(error);
                return fail(error);
            } else {
                throw new WireProtocolException(
                        -1, "unexpected " + message.getClass().getSimpleName() + " on a get");
            }
            return this;
        } catch (WireProtocolException e) {
            setup.parent().tell(new ContextActor.ProtocolViolation(e));
            MyceliumException error = Errors.of(ErrorCode.PROTOCOL_ERROR, setup.contextName(), e.getMessage(), e);
            feeder.fail(error);
            return fail(error);
        }
    }

    private Behavior<StreamCommand> onOffered(StreamCommand.Offered offered) {
        int consumed = feeder.onOffered(offered);
        int grant = consumed > 0 ? window.consumed(consumed) : 0;
        if (grant > 0 && !transferEnded) {
            setup.outbox().send(setup.streamId(), new Message.CreditGrant(Message.Channel.DATA, grant));
        }
        return this;
    }

    private Behavior<StreamCommand> onWritten(StreamCommand.WriteFinished finished) {
        if (finished.error() == null && finished.done() != null) {
            Message.TransferDone done = finished.done();
            result.complete(new TransferResult(
                    done.entries(), done.bytes(), Duration.ofNanos(System.nanoTime() - startedNanos)));
            return Behaviors.stopped();
        }
        Throwable error = finished.error() != null
                ? finished.error()
                : new WireProtocolException(-1, "the transfer of " + remote + " ended without its last entry");
        return abort(Errors.local(setup.contextName(), error));
    }

    private Behavior<StreamCommand> abort(MyceliumException error) {
        if (!transferEnded) {
            setup.outbox().send(setup.streamId(), new Message.Cancel());
        }
        feeder.fail(error);
        return fail(error);
    }

    private Behavior<StreamCommand> fail(MyceliumException error) {
        result.completeExceptionally(error);
        return Behaviors.stopped();
    }
}

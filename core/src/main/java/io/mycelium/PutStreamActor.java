package io.mycelium;

import io.mycelium.transfer.TransferCredit;
import io.mycelium.transfer.TreeReader;
import io.mycelium.wire.CreditWindow;
import io.mycelium.wire.ErrorCode;
import io.mycelium.wire.Message;
import io.mycelium.wire.WireProtocolException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Sends a local file or tree to the agent. A {@link TreeReader} runs as a stream on the blocking-I/O dispatcher and
 * hands this actor one message at a time; a message is acknowledged (and the next one read) only when the agent's
 * credit let it go out ({@link TransferCredit}), so the disk is read no faster than the agent writes.
 */
final class PutStreamActor extends AbstractBehavior<StreamCommand> {
    private final StreamSetup setup;
    private final String remote;
    private final CompletableFuture<TransferResult> result;
    private final CreditWindow credit;
    private final long startedNanos = System.nanoTime();
    private Message pending;
    private int pendingOffset;
    private int metadataPaid;
    private ActorRef<StreamCommand.Ack> ackTo;

    static Behavior<StreamCommand> create(
            StreamSetup setup, Path local, String remote, CompletableFuture<TransferResult> result) {
        return Behaviors.setup(context -> new PutStreamActor(context, setup, local, remote, result));
    }

    private PutStreamActor(
            ActorContext<StreamCommand> context,
            StreamSetup setup,
            Path local,
            String remote,
            CompletableFuture<TransferResult> result) {
        super(context);
        this.setup = setup;
        StreamCommand.cancelWhenCancelled(result, context.getSelf());
        this.remote = remote;
        this.result = result;
        this.credit = new CreditWindow(setup.peerWindow());
        int chunk = setup.chunkSize();
        Source.unfoldResource(
                        () -> new TreeReader(local, chunk),
                        reader -> reader.hasNext() ? Optional.of(reader.next()) : Optional.<Message>empty(),
                        TreeReader::close)
                .runWith(
                        StreamCommand.pulledBy(context.getSelf(), StreamCommand.TreeElement::new), context.getSystem());
    }

    @Override
    public Receive<StreamCommand> createReceive() {
        return newReceiveBuilder()
                .onMessage(StreamCommand.SourceInit.class, m -> {
                    m.ackTo().tell(StreamCommand.Ack.INSTANCE);
                    return this;
                })
                .onMessage(StreamCommand.TreeElement.class, this::onElement)
                .onMessage(StreamCommand.SourceDone.class, m -> this)
                .onMessage(StreamCommand.SourceFailed.class, m -> {
                    setup.outbox().send(setup.streamId(), new Message.Cancel());
                    return fail(Errors.local(setup.contextName(), m.error()));
                })
                .onMessage(StreamCommand.FromAgent.class, m -> onAgent(m.message()))
                .onMessage(StreamCommand.CancelRequested.class, m -> {
                    setup.outbox().send(setup.streamId(), new Message.Cancel());
                    return fail(Errors.of(
                            ErrorCode.CANCELLED, setup.contextName(), "put to " + remote + " cancelled", null));
                })
                .onMessage(StreamCommand.Lost.class, m -> fail(m.error()))
                .build();
    }

    private Behavior<StreamCommand> onElement(StreamCommand.TreeElement element) {
        ackTo = element.ackTo();
        pending = element.message();
        pendingOffset = 0;
        metadataPaid = 0;
        send();
        return this;
    }

    /** Sends the pending message as far as credit allows: a chunk in parts, any other message once paid for. */
    private void send() {
        if (pending instanceof Message.FileChunk chunk) {
            byte[] data = chunk.data();
            while (pendingOffset < data.length) {
                int n = credit.tryAcquire(data.length - pendingOffset);
                if (n == 0) {
                    return;
                }
                byte[] part = n == data.length ? data : Arrays.copyOfRange(data, pendingOffset, pendingOffset + n);
                setup.outbox().send(setup.streamId(), new Message.FileChunk(part));
                pendingOffset += n;
            }
        } else if (pending != null) {
            metadataPaid += credit.tryAcquire(TransferCredit.METADATA_COST - metadataPaid);
            if (metadataPaid < TransferCredit.METADATA_COST) {
                return;
            }
            setup.outbox().send(setup.streamId(), pending);
        }
        pending = null;
        ack();
    }

    private void ack() {
        if (ackTo != null) {
            ackTo.tell(StreamCommand.Ack.INSTANCE);
            ackTo = null;
        }
    }

    private Behavior<StreamCommand> onAgent(Message message) {
        if (message instanceof Message.CreditGrant grant && grant.channel() == Message.Channel.DATA) {
            try {
                credit.grant(grant.bytes());
            } catch (WireProtocolException e) {
                setup.parent().tell(new ContextActor.ProtocolViolation(e));
                return fail(Errors.of(ErrorCode.PROTOCOL_ERROR, setup.contextName(), e.getMessage(), e));
            }
            send();
            return this;
        }
        if (message instanceof Message.TransferDone done) {
            result.complete(new TransferResult(
                    done.entries(), done.bytes(), Duration.ofNanos(System.nanoTime() - startedNanos)));
            return Behaviors.stopped();
        }
        if (message instanceof Message.Failure failure) {
            return fail(Errors.fromRemote(setup.contextName(), failure));
        }
        WireProtocolException e =
                new WireProtocolException(-1, "unexpected " + message.getClass().getSimpleName() + " on a put");
        setup.parent().tell(new ContextActor.ProtocolViolation(e));
        return fail(Errors.of(ErrorCode.PROTOCOL_ERROR, setup.contextName(), e.getMessage(), e));
    }

    private Behavior<StreamCommand> fail(MyceliumException error) {
        result.completeExceptionally(error);
        return Behaviors.stopped();
    }
}

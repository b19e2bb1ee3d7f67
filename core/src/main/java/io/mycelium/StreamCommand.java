package io.mycelium;

import io.mycelium.wire.Message;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.DeadLetterSuppression;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.japi.function.Function2;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.typed.javadsl.ActorSink;
import org.apache.pekko.util.ByteString;

/** What the actor of one stream (one operation) handles: the agent's messages, loss, cancel, and its own plumbing. */
sealed interface StreamCommand {
    /** A message from the agent on this stream. */
    record FromAgent(Message message) implements StreamCommand {}

    /** The connection is gone; the operation cannot finish. */
    record Lost(MyceliumException error) implements StreamCommand {}

    /**
     * A sink that hands a local source's elements to {@code self} one at a time, each acknowledged before the next:
     * the actor pulls only as fast as the agent's credit lets it send.
     */
    static <T> Sink<T, NotUsed> pulledBy(
            ActorRef<StreamCommand> self, Function2<ActorRef<Ack>, T, StreamCommand> element) {
        return ActorSink.actorRefWithBackpressure(
                self, element, SourceInit::new, Ack.INSTANCE, new SourceDone(), SourceFailed::new);
    }

    /** Tells {@code self} to cancel when the caller cancels {@code result}. */
    static void cancelWhenCancelled(CompletableFuture<?> result, ActorRef<StreamCommand> self) {
        result.whenComplete((value, error) -> {
            if (error instanceof CancellationException) {
                self.tell(new CancelRequested());
            }
        });
    }

    /**
     * The caller gave up: stop the remote side. Also sent when a caller's stream completes normally, after the actor
     * may have stopped, so it is kept out of the dead-letter log.
     */
    record CancelRequested() implements StreamCommand, DeadLetterSuppression {}

    /** A caller's stream completed after its last element, or was cancelled. */
    record Drained() implements StreamCommand, DeadLetterSuppression {}

    /** An element offered to a caller's stream was taken or refused. */
    record Offered(QueueOfferResult result, Throwable error) implements StreamCommand {}

    /** Acknowledges an element of a local source the actor reads with back-pressure. */
    enum Ack {
        INSTANCE
    }

    /** A local source (stdin, a file tree) started. */
    record SourceInit(ActorRef<Ack> ackTo) implements StreamCommand {}

    /** The next element of a local stdin source. */
    record StdinElement(ActorRef<Ack> ackTo, ByteString bytes) implements StreamCommand {}

    /** The next message read from a local file tree. */
    record TreeElement(ActorRef<Ack> ackTo, Message message) implements StreamCommand {}

    /** A local source ended. */
    record SourceDone() implements StreamCommand {}

    /** A local source failed. */
    record SourceFailed(Throwable error) implements StreamCommand {}

    /** The local writer of a get finished, with the completion message or an error. */
    record WriteFinished(Message.TransferDone done, Throwable error) implements StreamCommand {}
}

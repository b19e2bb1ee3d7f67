package io.mycelium.journal;

import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.SourceRef;
import org.apache.pekko.stream.javadsl.Sink;

/** Drains the stream an {@link Offer} points to and sends the elements to its reply-to: refs inside a message. */
final class StreamOfferActor {
    private StreamOfferActor() {}

    record Offer(SourceRef<String> source, ActorRef<Collected> replyTo) implements KryoSerializable {}

    record Collected(List<String> elements) implements KryoSerializable {}

    static Behavior<Offer> create() {
        return Behaviors.receive((context, offer) -> {
            // Replies straight from the stream's completion: the actor keeps no state, so nothing needs its thread.
            offer.source()
                    .getSource()
                    .runWith(Sink.seq(), context.getSystem())
                    .thenAccept(elements -> offer.replyTo().tell(new Collected(List.copyOf(elements))));
            return Behaviors.same();
        });
    }
}

package io.mycelium;

import io.mycelium.wire.Message;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;

/**
 * The way into one connection's outbound frame stream. Any actor of the context may send; the stream encodes and
 * writes. The queue is bounded, but what fills it is bounded already: data by the agent's credit, requests by the
 * callers.
 */
final class Outbox {
    record Envelope(int streamId, Message message) {}

    private final BoundedSourceQueue<Envelope> queue;

    Outbox(BoundedSourceQueue<Envelope> queue) {
        this.queue = queue;
    }

    /** Queues a message; false when the connection is gone or hopelessly backed up. */
    boolean send(int streamId, Message message) {
        return queue.offer(new Envelope(streamId, message)) == QueueOfferResult.enqueued();
    }

    /** Ends the outbound stream after what is queued; a second call does nothing. */
    void complete() {
        try {
            queue.complete();
        } catch (IllegalStateException alreadyCompleted) {
            // The stream ended already (the agent went away first).
        }
    }
}

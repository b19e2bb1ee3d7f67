package io.mycelium;

import io.mycelium.wire.FrameEncoder;
import io.mycelium.wire.Message;
import io.mycelium.wire.MessageCodec;
import io.mycelium.wire.WireProtocolException;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.util.ByteString;

/**
 * The way into one connection's outbound frame stream. Any actor of the context may send: the message is encoded on
 * the sender's thread, so a message too large for the agent fails the one operation that sent it, at once and with a
 * clear error, instead of breaking the connection for everyone. The queue is bounded, and what fills it is bounded
 * already: data by the agent's credit, requests by the callers.
 */
final class Outbox {
    // Kryo instances are not thread-safe and cost a few microseconds to set up: one per dispatcher thread.
    private static final ThreadLocal<MessageCodec> CODECS =
            ThreadLocal.withInitial(() -> new MessageCodec(Integer.MAX_VALUE - 8));

    private final BoundedSourceQueue<ByteString> queue;
    private volatile int maxFrameLength;

    Outbox(BoundedSourceQueue<ByteString> queue, int maxFrameLength) {
        this.queue = queue;
        this.maxFrameLength = maxFrameLength;
    }

    /** Lowers the frame limit to what the agent announced it accepts. */
    void limitFrames(int agentMaxFrameLength) {
        maxFrameLength = Math.min(maxFrameLength, agentMaxFrameLength);
    }

    /**
     * Queues a message.
     *
     * @throws WireProtocolException when the encoded message is larger than the agent accepts
     * @throws IllegalStateException when the queue is full, which the credit windows should make impossible
     */
    void send(int streamId, Message message) {
        byte[] payload = CODECS.get().encode(message);
        ByteString frame = ByteString.fromArrayUnsafe(FrameEncoder.encode(streamId, payload, maxFrameLength));
        QueueOfferResult result = queue.offer(frame);
        if (result == QueueOfferResult.dropped()) {
            throw new IllegalStateException("the outbound queue to the agent is full");
        }
        // QueueClosed: the connection is ending; the context actor learns it from the inbound side.
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

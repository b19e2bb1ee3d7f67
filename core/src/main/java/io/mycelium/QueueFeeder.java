package io.mycelium;

import java.util.ArrayDeque;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;

/**
 * Feeds a caller's back-pressured queue from an actor, one offer at a time and in order. The bytes of an element count
 * as consumed once the queue took it; that is when the actor grants the agent credit again, so a caller that stops
 * reading stops the remote process after one window. State of one actor; touched only on its thread.
 */
final class QueueFeeder<T> {
    private record Item<T>(T element, int bytes) {}

    private final SourceQueueWithComplete<T> queue;
    private final ActorContext<StreamCommand> context;
    private final ArrayDeque<Item<T>> pending = new ArrayDeque<>();
    private boolean offering;
    private boolean completeWhenDrained;
    private boolean completed;
    private boolean drained;

    QueueFeeder(SourceQueueWithComplete<T> queue, ActorContext<StreamCommand> context) {
        this.queue = queue;
        this.context = context;
    }

    void push(T element, int bytes) {
        pending.add(new Item<>(element, bytes));
        next();
    }

    /** Completes the caller's stream once everything pushed so far was taken. */
    void completeWhenDrained() {
        completeWhenDrained = true;
        next();
    }

    /**
     * Handles the outcome of the current offer.
     *
     * @return the bytes the caller consumed, or -1 when the caller's stream is gone
     */
    int onOffered(StreamCommand.Offered offered) {
        offering = false;
        Item<T> item = pending.poll();
        if (offered.error() != null || !(offered.result() instanceof QueueOfferResult.Enqueued$)) {
            pending.clear();
            return -1;
        }
        next();
        return item == null ? 0 : item.bytes();
    }

    /**
     * Whether the caller's stream completed after the last element: the queue's buffer is drained (or the caller
     * cancelled), so failing the queue now cannot drop elements it still holds.
     */
    boolean finished() {
        return drained;
    }

    /** The caller's stream completed ({@link StreamCommand.Drained}). */
    void onDrained() {
        drained = true;
    }

    void fail(Throwable error) {
        pending.clear();
        queue.fail(error);
    }

    private void next() {
        if (offering || completed) {
            return;
        }
        if (pending.isEmpty()) {
            if (completeWhenDrained) {
                completed = true;
                queue.complete();
                // The queue still holds up to its buffer: it is done only when the caller took them.
                context.pipeToSelf(queue.watchCompletion(), (done, error) -> new StreamCommand.Drained());
            }
            return;
        }
        offering = true;
        context.pipeToSelf(queue.offer(pending.peek().element()), StreamCommand.Offered::new);
    }
}

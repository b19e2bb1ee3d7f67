package io.mycelium.journal;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * A tiny event-sourced counter: the journal tests persist it, stop the actor system, and recover it in a new one.
 *
 * <p>It snapshots every {@link #SNAPSHOT_EVERY} events, keeps one snapshot, and deletes the events older than the
 * snapshot before it, so a correct value after recovery proves the snapshot was read.
 */
final class Counter extends EventSourcedBehavior<Counter.Command, Counter.Incremented, Counter.State> {
    static final int SNAPSHOT_EVERY = 5;

    sealed interface Command permits Increment, Get {}

    /** Adds {@code by}; replies with the new value. */
    record Increment(int by, ActorRef<StatusReply<Integer>> replyTo) implements Command {}

    /** Replies with the current value. */
    record Get(ActorRef<Integer> replyTo) implements Command {}

    record Incremented(int by) implements KryoSerializable {}

    record State(int value) implements KryoSerializable {
        State add(int by) {
            return new State(value + by);
        }
    }

    static Behavior<Command> create(String id) {
        return new Counter(PersistenceId.of("Counter", id));
    }

    private Counter(PersistenceId persistenceId) {
        super(persistenceId);
    }

    @Override
    public State emptyState() {
        return new State(0);
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY, 1).withDeleteEventsOnSnapshot();
    }

    @Override
    public CommandHandler<Command, Incremented, State> commandHandler() {
        return newCommandHandlerBuilder()
                .forAnyState()
                .onCommand(Increment.class, (state, increment) -> {
                    if (increment.by() <= 0) {
                        return Effect().reply(increment.replyTo(), StatusReply.error("can only count up"));
                    }
                    return Effect()
                            .persist(new Incremented(increment.by()))
                            .thenReply(increment.replyTo(), next -> StatusReply.success(next.value()));
                })
                .onCommand(Get.class, (state, get) -> Effect().reply(get.replyTo(), state.value()))
                .build();
    }

    @Override
    public EventHandler<State, Incremented> eventHandler() {
        return newEventHandlerBuilder()
                .forAnyState()
                .onEvent(Incremented.class, (state, event) -> state.add(event.by()))
                .build();
    }
}

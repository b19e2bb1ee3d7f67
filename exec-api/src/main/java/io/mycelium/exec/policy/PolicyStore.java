package io.mycelium.exec.policy;

import io.mycelium.journal.KryoSerializable;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * The exec policies in force, one store per cluster (run as a cluster singleton). It starts with the policies of the
 * configuration; a replacement through the API is a fact in the journal and holds, across restarts, until it is
 * replaced again or reset to the configuration.
 */
public final class PolicyStore extends EventSourcedBehavior<PolicyStore.Command, PolicyStore.Event, PolicyStore.State> {

    /** What the store answers. */
    public sealed interface Command extends KryoSerializable {}

    /** Replies with the policies in force. */
    public record Get(ActorRef<PolicySet> replyTo) implements Command {}

    /** Replaces every policy; replies with the new set. */
    public record Replace(List<ExecPolicy> policies, String by, ActorRef<PolicySet> replyTo) implements Command {}

    /** Goes back to the configuration's policies; replies with them. */
    public record Reset(String by, ActorRef<PolicySet> replyTo) implements Command {}

    /** Facts about the policies. */
    public sealed interface Event extends KryoSerializable {}

    /** Every policy was replaced through the API. */
    public record PoliciesReplaced(List<ExecPolicy> policies, String by, Instant at) implements Event {}

    /** The policies were reset to the configuration's. */
    public record PoliciesReset(String by, Instant at) implements Event {}

    /** The replacement in force, or null while the configuration's policies hold. */
    public record State(PoliciesReplaced replacement, long version) implements KryoSerializable {}

    private final List<ExecPolicy> configured;

    private PolicyStore(List<ExecPolicy> configured) {
        super(PersistenceId.ofUniqueId("PolicyStore"));
        this.configured = List.copyOf(configured);
    }

    /** The store, starting from the configuration's policies. */
    public static Behavior<Command> create(List<ExecPolicy> configured) {
        return new PolicyStore(configured);
    }

    @Override
    public State emptyState() {
        return new State(null, 0);
    }

    @Override
    public CommandHandler<Command, Event, State> commandHandler() {
        return newCommandHandlerBuilder()
                .forAnyState()
                .onCommand(Get.class, (state, c) -> Effect().reply(c.replyTo(), view(state)))
                .onCommand(
                        Replace.class,
                        (state, c) -> Effect()
                                .persist(new PoliciesReplaced(List.copyOf(c.policies()), c.by(), Instant.now()))
                                .thenReply(c.replyTo(), this::view))
                .onCommand(
                        Reset.class,
                        (state, c) -> Effect()
                                .persist(new PoliciesReset(c.by(), Instant.now()))
                                .thenReply(c.replyTo(), this::view))
                .build();
    }

    private PolicySet view(State state) {
        PoliciesReplaced r = state.replacement();
        return r == null
                ? new PolicySet(configured, "config", state.version(), null, null)
                : new PolicySet(r.policies(), "api", state.version(), r.at(), r.by());
    }

    @Override
    public EventHandler<State, Event> eventHandler() {
        var builder = newEventHandlerBuilder();
        builder.forAnyState()
                .onEvent(PoliciesReplaced.class, (state, e) -> new State(e, state.version() + 1))
                .onEvent(PoliciesReset.class, (state, e) -> new State(null, state.version() + 1));
        return builder.build();
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(50, 2);
    }
}

package io.mycelium.mesh.agent;

import io.mycelium.journal.KryoSerializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/** The journal of one node agent's instance facts; keeps the most recent ones in memory for queries. */
public final class AgentFacts extends EventSourcedBehavior<AgentFacts.Command, InstanceFact, AgentFacts.State> {
    static final int RECENT = 200;

    /** What the journal answers. */
    public sealed interface Command extends KryoSerializable {}

    /** Records a fact. */
    public record Record(InstanceFact fact) implements Command {}

    /** Replies with the recent facts, oldest first. */
    public record Recent(ActorRef<Facts> replyTo) implements Command {}

    /** The answer to {@link Recent}. */
    public record Facts(List<InstanceFact> facts) implements KryoSerializable {}

    /** The recent facts. */
    public record State(List<InstanceFact> recent) implements KryoSerializable {
        State apply(InstanceFact fact) {
            List<InstanceFact> next = new ArrayList<>(recent);
            next.add(fact);
            return new State(next.size() > RECENT ? new ArrayList<>(next.subList(1, next.size())) : next);
        }
    }

    private AgentFacts(String agentId) {
        super(PersistenceId.of("MeshAgent", agentId));
    }

    /** The journal of agent {@code agentId}. */
    public static Behavior<Command> create(String agentId) {
        return new AgentFacts(agentId);
    }

    @Override
    public State emptyState() {
        return new State(new ArrayList<>());
    }

    @Override
    public CommandHandler<Command, InstanceFact, State> commandHandler() {
        return newCommandHandlerBuilder()
                .forAnyState()
                .onCommand(Record.class, (state, c) -> Effect().persist(c.fact()))
                .onCommand(
                        Recent.class,
                        (state, c) -> Effect().reply(c.replyTo(), new Facts(new ArrayList<>(state.recent()))))
                .build();
    }

    @Override
    public EventHandler<State, InstanceFact> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent(State::apply);
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(500, 2);
    }
}

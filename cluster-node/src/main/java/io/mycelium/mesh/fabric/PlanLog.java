package io.mycelium.mesh.fabric;

import io.mycelium.journal.KryoSerializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The history of plans and budgets, one per cluster (a singleton): every publish and budget change is a fact in the
 * journal. The latest plan and budget of each app are written to the replicated fabric after each fact and again
 * after recovery, so the fabric is rebuilt from the facts when the whole cluster restarts.
 */
public final class PlanLog extends EventSourcedBehavior<PlanLog.Command, PlanLog.Event, PlanLog.State> {
    /** How many plans of one app the history keeps. */
    static final int HISTORY = 50;

    /** What the log answers. */
    public sealed interface Command extends KryoSerializable {}

    /** Records a new plan for its app; replies with the fact. */
    public record Publish(Plan plan, String by, ActorRef<StatusReply<PlanPublished>> replyTo) implements Command {}

    /** Records a budget for its app. */
    public record SetBudget(Budget budget, String by, ActorRef<StatusReply<BudgetSet>> replyTo) implements Command {}

    /** Replies with the plans published for {@code app}, oldest first. */
    public record GetHistory(String app, ActorRef<History> replyTo) implements Command {}

    /** The answer to {@link GetHistory}. */
    public record History(List<PlanPublished> entries) implements KryoSerializable {}

    /** Facts. */
    public sealed interface Event extends KryoSerializable {}

    /** A plan was published. */
    public record PlanPublished(Plan plan, String by, Instant at) implements Event {}

    /** A budget was set. */
    public record BudgetSet(Budget budget, String by, Instant at) implements Event {}

    /** The recent plans of each app and the budgets. */
    public record State(Map<String, List<PlanPublished>> plans, Map<String, Budget> budgets)
            implements KryoSerializable {
        State apply(Event event) {
            switch (event) {
                case PlanPublished p -> {
                    Map<String, List<PlanPublished>> next = new HashMap<>(plans);
                    List<PlanPublished> history =
                            new ArrayList<>(next.getOrDefault(p.plan().app(), List.of()));
                    history.add(p);
                    if (history.size() > HISTORY) {
                        history = new ArrayList<>(history.subList(history.size() - HISTORY, history.size()));
                    }
                    next.put(p.plan().app(), history);
                    return new State(next, budgets);
                }
                case BudgetSet b -> {
                    Map<String, Budget> next = new HashMap<>(budgets);
                    next.put(b.budget().app(), b.budget());
                    return new State(plans, next);
                }
            }
        }
    }

    private final ActorSystem<?> system;
    private final SelfUniqueAddress self;

    private PlanLog(ActorSystem<?> system) {
        super(PersistenceId.ofUniqueId("MeshPlanLog"));
        this.system = system;
        this.self = DistributedData.get(system).selfUniqueAddress();
    }

    /** The log. */
    public static Behavior<Command> create() {
        return Behaviors.setup(ctx -> new PlanLog(ctx.getSystem()));
    }

    @Override
    public State emptyState() {
        return new State(new HashMap<>(), new HashMap<>());
    }

    @Override
    public CommandHandler<Command, Event, State> commandHandler() {
        return newCommandHandlerBuilder()
                .forAnyState()
                .onCommand(Publish.class, (state, c) -> {
                    PlanPublished fact = new PlanPublished(c.plan(), c.by(), Instant.now());
                    return Effect()
                            .persist(fact)
                            .thenRun(s -> writePlan(c.plan()))
                            .thenReply(c.replyTo(), s -> StatusReply.success(fact));
                })
                .onCommand(SetBudget.class, (state, c) -> {
                    BudgetSet fact = new BudgetSet(c.budget(), c.by(), Instant.now());
                    return Effect()
                            .persist(fact)
                            .thenRun(s -> writeBudget(c.budget()))
                            .thenReply(c.replyTo(), s -> StatusReply.success(fact));
                })
                .onCommand(
                        GetHistory.class,
                        (state, c) -> Effect()
                                .reply(
                                        c.replyTo(),
                                        new History(
                                                new ArrayList<>(state.plans().getOrDefault(c.app(), List.of())))))
                .build();
    }

    @Override
    public EventHandler<State, Event> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent(State::apply);
    }

    @Override
    public SignalHandler<State> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), state -> {
                    state.plans()
                            .values()
                            .forEach(history ->
                                    writePlan(history.get(history.size() - 1).plan()));
                    state.budgets().values().forEach(this::writeBudget);
                })
                .build();
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(100, 2);
    }

    private void writePlan(Plan plan) {
        DistributedData.get(system)
                .replicator()
                .tell(new Replicator.Update<>(
                        FabricKeys.PLANS,
                        LWWMap.<String, Plan>empty(),
                        Replicator.writeLocal(),
                        system.ignoreRef(),
                        map -> map.put(self, plan.app(), plan)));
    }

    private void writeBudget(Budget budget) {
        DistributedData.get(system)
                .replicator()
                .tell(new Replicator.Update<>(
                        FabricKeys.BUDGETS,
                        LWWMap.<String, Budget>empty(),
                        Replicator.writeLocal(),
                        system.ignoreRef(),
                        map -> map.put(self, budget.app(), budget)));
    }
}

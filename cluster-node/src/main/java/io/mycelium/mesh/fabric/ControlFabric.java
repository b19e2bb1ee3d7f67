package io.mycelium.mesh.fabric;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;

/**
 * The control fabric as seen from one node: plans and budgets go through the {@link PlanLog} (facts first), and
 * everything is read from this node's replica of the Distributed Data, so reads never leave the node. Endpoints are
 * written straight to the replica: they are state of live processes, not facts.
 */
public final class ControlFabric {
    private final ActorSystem<?> system;
    private final ActorRef<PlanLog.Command> planLog;
    private final ActorRef<Replicator.Command> replicator;
    private final SelfUniqueAddress self;
    private final Duration timeout;

    /** The fabric of {@code system}, writing facts to {@code planLog}. */
    public ControlFabric(ActorSystem<?> system, ActorRef<PlanLog.Command> planLog, Duration timeout) {
        this.system = system;
        this.planLog = planLog;
        this.replicator = DistributedData.get(system).replicator();
        this.self = DistributedData.get(system).selfUniqueAddress();
        this.timeout = timeout;
    }

    /** Records and replicates {@code plan}; node agents act on it. */
    public CompletionStage<PlanLog.PlanPublished> publish(Plan plan, String by) {
        return AskPattern.askWithStatus(
                planLog, replyTo -> new PlanLog.Publish(plan, by, replyTo), timeout, system.scheduler());
    }

    /** Records and replicates {@code budget}. */
    public CompletionStage<PlanLog.BudgetSet> setBudget(Budget budget, String by) {
        return AskPattern.askWithStatus(
                planLog, replyTo -> new PlanLog.SetBudget(budget, by, replyTo), timeout, system.scheduler());
    }

    /** The plans published for {@code app}, oldest first. */
    public CompletionStage<List<PlanLog.PlanPublished>> history(String app) {
        return AskPattern.<PlanLog.Command, PlanLog.History>ask(
                        planLog, replyTo -> new PlanLog.GetHistory(app, replyTo), timeout, system.scheduler())
                .thenApply(PlanLog.History::entries);
    }

    /** Every app's current plan, from this node's replica. */
    public CompletionStage<Map<String, Plan>> plans() {
        return read(FabricKeys.PLANS);
    }

    /** Every app's budget, from this node's replica. */
    public CompletionStage<Map<String, Budget>> budgets() {
        return read(FabricKeys.BUDGETS);
    }

    /** The live endpoints of {@code app}, by node agent. */
    public CompletionStage<List<Endpoint>> endpoints(String app) {
        return read(FabricKeys.ENDPOINTS)
                .thenApply(all -> all.values().stream()
                        .filter(e -> e.app().equals(app))
                        .sorted(Comparator.comparing(Endpoint::nodeId))
                        .toList());
    }

    /** Makes {@code endpoint} the one endpoint of its app on its node agent. */
    public void register(Endpoint endpoint) {
        replicator.tell(new Replicator.Update<>(
                FabricKeys.ENDPOINTS,
                LWWMap.<String, Endpoint>empty(),
                Replicator.writeLocal(),
                system.ignoreRef(),
                map -> map.put(self, endpoint.key(), endpoint)));
    }

    /** Withdraws {@code endpoint}, unless a newer one of the same app and node agent replaced it already. */
    public void withdraw(Endpoint endpoint) {
        replicator.tell(new Replicator.Update<>(
                FabricKeys.ENDPOINTS,
                LWWMap.<String, Endpoint>empty(),
                Replicator.writeLocal(),
                system.ignoreRef(),
                map -> endpoint.equals(map.getEntries().get(endpoint.key())) ? map.remove(self, endpoint.key()) : map));
    }

    private <V> CompletionStage<Map<String, V>> read(Key<LWWMap<String, V>> key) {
        return AskPattern.<Replicator.Command, Replicator.GetResponse<LWWMap<String, V>>>ask(
                        replicator,
                        replyTo -> new Replicator.Get<>(key, Replicator.readLocal(), replyTo),
                        timeout,
                        system.scheduler())
                .thenApply(response -> response instanceof Replicator.GetSuccess<LWWMap<String, V>> success
                        ? Map.copyOf(success.dataValue().getEntries())
                        : Map.of());
    }

    /** The current plan of {@code app}. */
    public CompletionStage<Optional<Plan>> plan(String app) {
        return plans().thenApply(all -> Optional.ofNullable(all.get(app)));
    }
}

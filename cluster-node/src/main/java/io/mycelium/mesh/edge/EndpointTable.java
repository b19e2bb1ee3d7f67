package io.mycelium.mesh.edge;

import io.mycelium.mesh.fabric.Endpoint;
import io.mycelium.mesh.fabric.FabricKeys;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;

/**
 * The live endpoints of every app as this node's replica of the fabric has them. An actor follows the replica and
 * publishes each new table as an immutable snapshot, which the proxy reads on every request without asking anyone
 * (an ask per request would cost more than the proxying).
 */
final class EndpointTable {
    private final AtomicReference<Map<String, List<Endpoint>>> snapshot = new AtomicReference<>(Map.of());

    /** The endpoints of {@code app}, sorted by node agent; empty when none is live. */
    List<Endpoint> endpoints(String app) {
        return snapshot.get().getOrDefault(app, List.of());
    }

    /** The actor that keeps the snapshot current. */
    Behavior<Replicator.SubscribeResponse<LWWMap<String, Endpoint>>> follower() {
        return Behaviors.setup(ctx -> {
            ActorRef<Replicator.SubscribeResponse<LWWMap<String, Endpoint>>> self = ctx.getSelf();
            DistributedData.get(ctx.getSystem())
                    .replicator()
                    .tell(new Replicator.Subscribe<>(FabricKeys.ENDPOINTS, self));
            return Behaviors.receiveMessage(response -> {
                if (response instanceof Replicator.Changed<LWWMap<String, Endpoint>> changed) {
                    Map<String, List<Endpoint>> byApp = new HashMap<>();
                    for (Endpoint e : changed.dataValue().getEntries().values()) {
                        byApp.computeIfAbsent(e.app(), a -> new ArrayList<>()).add(e);
                    }
                    byApp.replaceAll((app, list) -> list.stream()
                            .sorted(Comparator.comparing(Endpoint::nodeId))
                            .toList());
                    snapshot.set(Map.copyOf(byApp));
                }
                return Behaviors.same();
            });
        });
    }
}

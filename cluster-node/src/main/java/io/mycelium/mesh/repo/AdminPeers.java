package io.mycelium.mesh.repo;

import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The admin API address of every node, shared with Distributed Data ({@code member address -> URL}), so that a node
 * lacking a spore knows whom to ask. Answers with the URLs of the other members that are up.
 */
public final class AdminPeers {
    static final Key<LWWMap<String, String>> KEY = LWWMapKey.create("mycelium-mesh-admin-urls");

    /** What the actor understands. */
    public sealed interface Command {}

    /** Replies with the admin URLs of the other members that are up. */
    public record Peers(ActorRef<List<URI>> replyTo) implements Command {}

    private record Changed(Replicator.SubscribeResponse<LWWMap<String, String>> response) implements Command {}

    private record Written(Replicator.UpdateResponse<LWWMap<String, String>> response) implements Command {}

    private AdminPeers() {}

    /** Publishes {@code selfUrl} (this node's admin API) and tracks the others'. */
    public static Behavior<Command> create(URI selfUrl) {
        return Behaviors.setup(ctx ->
                DistributedData.<Command, LWWMap<String, String>>withReplicatorMessageAdapter(replicator -> {
                    SelfUniqueAddress node =
                            DistributedData.get(ctx.getSystem()).selfUniqueAddress();
                    String self =
                            Cluster.get(ctx.getSystem()).selfMember().address().toString();
                    replicator.subscribe(KEY, Changed::new);
                    replicator.askUpdate(
                            replyTo -> new Replicator.Update<>(
                                    KEY,
                                    LWWMap.empty(),
                                    Replicator.writeLocal(),
                                    replyTo,
                                    map -> map.put(node, self, selfUrl.toString())),
                            Written::new);
                    return running(replicator, Cluster.get(ctx.getSystem()), self, Map.of());
                }));
    }

    private static Behavior<Command> running(
            ReplicatorMessageAdapter<Command, LWWMap<String, String>> replicator,
            Cluster cluster,
            String self,
            Map<String, String> urls) {
        return Behaviors.receive(Command.class)
                .onMessage(Changed.class, c -> {
                    if (c.response() instanceof Replicator.Changed<LWWMap<String, String>> changed) {
                        return running(
                                replicator,
                                cluster,
                                self,
                                new HashMap<>(changed.dataValue().getEntries()));
                    }
                    return Behaviors.same();
                })
                .onMessage(Written.class, w -> Behaviors.same())
                .onMessage(Peers.class, p -> {
                    Set<String> up = StreamSupport.stream(
                                    cluster.state().getMembers().spliterator(), false)
                            .filter(m -> m.status() == MemberStatus.up())
                            .map(m -> m.address().toString())
                            .collect(Collectors.toSet());
                    p.replyTo()
                            .tell(urls.entrySet().stream()
                                    .filter(e -> !e.getKey().equals(self) && up.contains(e.getKey()))
                                    .map(e -> URI.create(e.getValue()))
                                    .toList());
                    return Behaviors.same();
                })
                .build();
    }
}

package io.mycelium.host;

import io.mycelium.api.ApiException;
import io.mycelium.api.Failures;
import io.mycelium.api.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.GetClusterShardingStats;
import org.apache.pekko.cluster.sharding.typed.HashCodeMessageExtractor;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.pattern.StatusReply;

/**
 * Where things are in the cluster, for operators and tests: {@code GET /api/v1/cluster} (this node, the leader, the
 * members with their status and reachability) and {@code GET /api/v1/hosts/{id}/context} (which node holds the
 * host's context, that is the shard its {@code Context} entity lives in).
 */
public final class ClusterRoutes extends AllDirectives {
    private final ActorSystem<?> system;
    private final ActorRef<HostDirectory.Command> hosts;
    private final Duration timeout;
    private final HashCodeMessageExtractor<HostContext.Command> shards;

    public ClusterRoutes(ActorSystem<?> system, ActorRef<HostDirectory.Command> hosts, Duration timeout) {
        this.system = system;
        this.hosts = hosts;
        this.timeout = timeout;
        // The extractor Entity.of uses when none is given: the shard of an entity follows from its id.
        this.shards = new HashCodeMessageExtractor<>(
                ClusterShardingSettings.create(system).numberOfShards());
    }

    public Route routes() {
        return concat(
                path("cluster", () -> get(() -> complete(Json.response(200, members())))),
                path(
                        PathMatchers.segment("hosts")
                                .slash(PathMatchers.segment())
                                .slash("context"),
                        id -> get(() -> completeWithFuture(context(id).exceptionally(Failures::toResponse)))));
    }

    private Map<String, Object> members() {
        Cluster cluster = Cluster.get(system);
        ClusterEvent.CurrentClusterState state = cluster.state();
        Set<Member> unreachable = state.getUnreachable();
        List<Map<String, Object>> members = new ArrayList<>();
        for (Member m : state.getMembers()) {
            members.add(Map.of(
                    "address", m.address().toString(),
                    "status", m.status().toString(),
                    "reachable", !unreachable.contains(m),
                    "roles", m.getRoles().stream().sorted().toList()));
        }
        Map<String, Object> body = new HashMap<>();
        body.put("self", cluster.selfMember().address().toString());
        body.put("selfStatus", cluster.selfMember().status().toString());
        body.put("leader", state.getLeader() == null ? null : state.getLeader().toString());
        body.put("members", members);
        body.put(
                "unreachable",
                unreachable.stream().map(m -> m.address().toString()).sorted().collect(Collectors.toList()));
        return body;
    }

    private CompletionStage<HttpResponse> context(String hostId) {
        String shard = shards.shardId(hostId);
        CompletionStage<StatusReply<HostSpec>> host =
                AskPattern.ask(hosts, replyTo -> new HostDirectory.Get(hostId, replyTo), timeout, system.scheduler());
        return host.thenCompose(reply -> {
            if (reply.isError()) {
                return CompletableFuture.failedFuture(
                        ApiException.notFound("no host is registered as " + hostId + " (see GET /api/v1/hosts)"));
            }
            return AskPattern.<Object, ShardRegion.ClusterShardingStats>ask(
                            ClusterSharding.get(system).shardState().unsafeUpcast(),
                            replyTo -> new GetClusterShardingStats(HostContext.TYPE, timeout, replyTo),
                            timeout.plusSeconds(1),
                            system.scheduler())
                    .thenApply(stats -> {
                        Address self = Cluster.get(system).selfMember().address();
                        Address owner = null;
                        for (Map.Entry<Address, ShardRegion.ShardRegionStats> region :
                                stats.getRegions().entrySet()) {
                            if (region.getValue().getStats().containsKey(shard)) {
                                // This node's own region may report its local address, without host and port.
                                owner = region.getKey().hasGlobalScope() ? region.getKey() : self;
                            }
                        }
                        Map<String, Object> body = new HashMap<>();
                        body.put("host", hostId);
                        body.put("shard", shard);
                        // Null while no node holds the shard (nothing has run there since it last moved).
                        body.put("node", owner == null ? null : owner.toString());
                        body.put("self", self.equals(owner));
                        return Json.response(200, body);
                    });
        });
    }
}

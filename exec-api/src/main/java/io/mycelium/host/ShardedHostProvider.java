package io.mycelium.host;

import io.mycelium.ProcessHost;
import io.mycelium.spi.HostProvider;
import java.time.Duration;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;

/**
 * {@code Mycelium.host(id)} on a cluster member: a {@link ProcessHost} whose operations are messages to the host's
 * sharded {@link HostContext}. On a node the node's own shard region carries them; on any other member (an
 * application's actor system that joined the cluster) a shard proxy does, so the connections stay on the nodes.
 * Found by {@link java.util.ServiceLoader}; applications never name this class.
 */
public final class ShardedHostProvider implements HostProvider {

    /** For {@link java.util.ServiceLoader}. */
    public ShardedHostProvider() {}

    @Override
    public ProcessHost host(ActorSystem<?> system, String hostId) {
        Objects.requireNonNull(hostId, "hostId");
        ClusterSharding sharding;
        try {
            sharding = ClusterSharding.get(system);
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "Mycelium.host(\"" + hostId + "\") needs an actor system that is a member of the Mycelium"
                            + " cluster (pekko.actor.provider = cluster): " + e.getMessage(),
                    e);
        }
        // Returns the region a node started; elsewhere starts a proxy (no entity lives off the node role).
        sharding.init(Entity.of(HostContext.TYPE, entity -> {
                    throw new IllegalStateException("this actor system has the role " + NodeRole.NAME
                            + " but is not a node: start it with Node.start, or drop the role");
                })
                .withRole(NodeRole.NAME));
        Duration askTimeout = system.settings().config().getDuration("mycelium.node.exec.ask-timeout");
        return new ShardedHost(system, sharding.entityRefFor(HostContext.TYPE, hostId), hostId, askTimeout);
    }
}

package io.mycelium.spi;

import io.mycelium.ProcessHost;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Where {@link io.mycelium.Mycelium#host(String)} finds a cluster's hosts. Not for applications: the cluster node
 * module ({@code mycelium-cluster-node}) implements it and registers it for {@link java.util.ServiceLoader}, so that
 * {@code core} does not depend on the cluster.
 */
public interface HostProvider {

    /**
     * The host registered as {@code hostId} in the cluster {@code system} is a member of. Does not check that the host
     * exists: its operations fail when it does not.
     *
     * @throws IllegalStateException when {@code system} cannot reach such a cluster
     */
    ProcessHost host(ActorSystem<?> system, String hostId);
}

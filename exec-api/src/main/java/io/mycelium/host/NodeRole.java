package io.mycelium.host;

/**
 * The cluster role of a Mycelium node: the members that host the shards of host contexts, executions and tasks.
 * Other members (an application's actor system that joined the cluster) reach those shards through proxies.
 */
public final class NodeRole {
    /** The role name, in {@code pekko.cluster.roles}. */
    public static final String NAME = "mycelium-node";

    private NodeRole() {}
}

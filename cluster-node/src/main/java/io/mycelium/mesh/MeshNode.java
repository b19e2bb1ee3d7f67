package io.mycelium.mesh;

import io.mycelium.mesh.agent.AgentSettings;
import io.mycelium.mesh.agent.NodeAgent;
import io.mycelium.mesh.edge.Edge;
import io.mycelium.mesh.edge.EdgeSettings;
import io.mycelium.mesh.fabric.ControlFabric;
import io.mycelium.mesh.fabric.PlanLog;
import io.mycelium.mesh.repo.AdminPeers;
import io.mycelium.mesh.repo.SporeFetcher;
import io.mycelium.mesh.repo.SporeRepo;
import io.mycelium.mesh.spore.SporeVerifier;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.ClusterSingletonSettings;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.slf4j.LoggerFactory;

/**
 * The mesh's part of a node: its spore repo, and the fetcher that gets a spore from a peer. The peers are known once
 * this node's admin API is bound ({@link #announce}).
 */
public final class MeshNode {
    private final ActorSystem<?> system;
    private final MeshSettings settings;
    private final SporeRepo repo;
    private final SporeFetcher fetcher;
    private final ControlFabric fabric;
    private final CompletableFuture<ActorRef<AdminPeers.Command>> peers = new CompletableFuture<>();
    private final CompletableFuture<List<ActorRef<NodeAgent.Command>>> agents = new CompletableFuture<>();
    private final CompletableFuture<Optional<Edge>> edge = new CompletableFuture<>();
    private final CompletableFuture<ServerBinding> edgeBinding = new CompletableFuture<>();

    private MeshNode(ActorSystem<?> system, MeshSettings settings, String role) throws IOException {
        this.system = system;
        this.settings = settings;
        this.repo = new SporeRepo(settings.repoDir(), new SporeVerifier(settings.limits()));
        this.fetcher = new SporeFetcher(
                repo,
                this::peerUrls,
                settings.peerToken(),
                system.dispatchers().lookup(DispatcherSelector.blocking()),
                settings.fetchTimeout());
        ActorRef<PlanLog.Command> planLog = ClusterSingleton.get(system)
                .init(SingletonActor.of(
                                Behaviors.supervise(PlanLog.create())
                                        .onFailure(SupervisorStrategy.restartWithBackoff(
                                                Duration.ofMillis(200), Duration.ofSeconds(10), 0.2)),
                                "mesh-plan-log")
                        .withSettings(ClusterSingletonSettings.create(system).withRole(role)));
        this.fabric = new ControlFabric(system, planLog, settings.askTimeout());
    }

    /** The mesh of a node with these settings; the plan log runs on members with {@code role}. */
    public static MeshNode create(ActorSystem<?> system, MeshSettings settings, String role) throws IOException {
        return new MeshNode(system, settings, role);
    }

    /**
     * Tells the cluster where this node's admin API is, so that peers can fetch spores from it, and starts the node
     * agents, which run spores under {@code runDir}.
     */
    public void announce(URI adminUrl, AgentSettings agentSettings, Path runDir) {
        peers.complete(system.systemActorOf(AdminPeers.create(adminUrl), "mesh-admin-peers", Props.empty()));
        Address self = Cluster.get(system).selfMember().address();
        String node = self.host().getOrElse(() -> "local") + ":" + self.port().getOrElse(() -> 0);
        List<ActorRef<NodeAgent.Command>> started = new ArrayList<>();
        for (int i = 1; i <= agentSettings.count(); i++) {
            String agentId = agentSettings.count() == 1 ? node : node + "/agent-" + i;
            String dirName = agentId.replaceAll("[^A-Za-z0-9.-]", "-");
            started.add(system.systemActorOf(
                    NodeAgent.create(agentId, runDir.resolve(dirName), agentSettings, fabric, fetcher, repo.verifier()),
                    "mesh-agent-" + dirName,
                    Props.empty()));
        }
        agents.complete(List.copyOf(started));
    }

    /** Starts the edge when the settings enable it; completes with it, or empty when it is off or could not bind. */
    public CompletionStage<Optional<Edge>> startEdge(EdgeSettings edgeSettings) {
        if (!edgeSettings.enabled()) {
            edge.complete(Optional.empty());
            return edge;
        }
        Edge started = new Edge(system, edgeSettings);
        started.bind().whenComplete((binding, error) -> {
            if (error != null) {
                LoggerFactory.getLogger(MeshNode.class)
                        .error(
                                "the edge could not bind {}:{}, so this node runs without one: {}",
                                edgeSettings.iface(),
                                edgeSettings.port(),
                                error.getMessage());
                edge.complete(Optional.empty());
            } else {
                edgeBinding.complete(binding);
                edge.complete(Optional.of(started));
            }
        });
        return edge;
    }

    /** The edge, once {@link #startEdge} decided; empty when off or not bound. */
    public CompletionStage<Optional<Edge>> edge() {
        return edge;
    }

    /** The edge's address, once bound. */
    public CompletionStage<ServerBinding> edgeBinding() {
        return edgeBinding;
    }

    /** The node agents of this node, once started. */
    public CompletionStage<List<ActorRef<NodeAgent.Command>>> agents() {
        return agents;
    }

    private CompletionStage<List<URI>> peerUrls() {
        return peers.thenCompose(
                ref -> AskPattern.ask(ref, AdminPeers.Peers::new, java.time.Duration.ofSeconds(5), system.scheduler()));
    }

    /** This node's spore repo. */
    public SporeRepo repo() {
        return repo;
    }

    /** Gets spores this node lacks from its peers. */
    public SporeFetcher fetcher() {
        return fetcher;
    }

    /** Plans, budgets and endpoints. */
    public ControlFabric fabric() {
        return fabric;
    }

    /** The settings. */
    public MeshSettings settings() {
        return settings;
    }
}

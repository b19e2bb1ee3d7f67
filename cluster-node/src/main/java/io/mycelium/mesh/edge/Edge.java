package io.mycelium.mesh.edge;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The edge of a node: the reverse proxy bound to its own port, and its counters, logged every interval. */
public final class Edge {
    private static final Logger LOG = LoggerFactory.getLogger(Edge.class);

    private final EdgeMetrics metrics = new EdgeMetrics();
    private final ActorSystem<?> system;
    private final EdgeSettings settings;

    /** An edge of {@code system}; {@link #bind} starts it. */
    public Edge(ActorSystem<?> system, EdgeSettings settings) {
        this.system = system;
        this.settings = settings;
    }

    /** Follows the fabric's endpoints and binds the proxy; unbinds with the node's coordinated shutdown. */
    public CompletionStage<ServerBinding> bind() {
        EndpointTable table = new EndpointTable();
        system.systemActorOf(table.follower(), "mesh-edge-endpoints", Props.empty());
        EdgeProxy proxy = new EdgeProxy(system, table, metrics, settings);
        system.scheduler()
                .scheduleAtFixedRate(
                        settings.logInterval(),
                        settings.logInterval(),
                        () -> {
                            if (!metrics.snapshot().isEmpty()) {
                                LOG.info("edge counters: {}", metrics.snapshot());
                            }
                        },
                        system.executionContext());
        return Http.get(system)
                .newServerAt(settings.iface(), settings.port())
                .bind(proxy)
                .thenApply(binding -> {
                    binding.addToCoordinatedShutdown(Duration.ofSeconds(5), system);
                    LOG.info(
                            "edge on http://{}:{}",
                            settings.iface(),
                            binding.localAddress().getPort());
                    return binding;
                });
    }

    /** The per-app counters. */
    public EdgeMetrics metrics() {
        return metrics;
    }
}

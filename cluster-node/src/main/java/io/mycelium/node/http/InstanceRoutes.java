package io.mycelium.node.http;

import io.mycelium.api.Failures;
import io.mycelium.api.Json;
import io.mycelium.mesh.MeshNode;
import io.mycelium.mesh.agent.AgentFacts;
import io.mycelium.mesh.agent.InstanceFact;
import io.mycelium.mesh.agent.NodeAgent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * What the node agents of this node run: {@code GET /api/v1/instances} (processes, ports, phases) and {@code GET
 * /api/v1/instances/facts} (their recent facts: started, serving, exited, stopped, restarts).
 */
final class InstanceRoutes extends AllDirectives {
    private final ActorSystem<?> system;
    private final MeshNode mesh;
    private final Duration timeout;

    InstanceRoutes(ActorSystem<?> system, MeshNode mesh, Duration timeout) {
        this.system = system;
        this.mesh = mesh;
        this.timeout = timeout;
    }

    Route routes() {
        return pathPrefix(
                "instances",
                () -> concat(
                        pathEndOrSingleSlash(() -> get(() -> completeWithFuture(collect(
                                        (agent, s) -> AskPattern.<NodeAgent.Command, List<NodeAgent.InstanceView>>ask(
                                                agent, NodeAgent.GetInstances::new, timeout, s))
                                .thenApply(all -> Json.response(200, Map.of("instances", all)))
                                .exceptionally(Failures::toResponse)))),
                        path(
                                "facts",
                                () -> get(() -> completeWithFuture(collect(
                                                (agent, s) -> AskPattern.<NodeAgent.Command, AgentFacts.Facts>ask(
                                                                agent, NodeAgent.GetFacts::new, timeout, s)
                                                        .thenApply(AgentFacts.Facts::facts))
                                        .thenApply(all -> {
                                            List<InstanceFact> sorted = new ArrayList<>(all);
                                            sorted.sort(java.util.Comparator.comparing(InstanceFact::at));
                                            return Json.response(200, Map.of("facts", sorted));
                                        })
                                        .exceptionally(Failures::toResponse))))));
    }

    private <T> CompletionStage<List<T>> collect(
            BiFunction<ActorRef<NodeAgent.Command>, org.apache.pekko.actor.typed.Scheduler, CompletionStage<List<T>>>
                    ask) {
        return mesh.agents().thenCompose(agents -> {
            List<CompletableFuture<List<T>>> asks = agents.stream()
                    .map(agent -> ask.apply(agent, system.scheduler()).toCompletableFuture())
                    .toList();
            return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
                    .thenApply(done -> {
                        List<T> all = new ArrayList<>();
                        asks.forEach(a -> all.addAll(a.join()));
                        return all;
                    });
        });
    }
}

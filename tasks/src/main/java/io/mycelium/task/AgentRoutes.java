package io.mycelium.task;

import io.mycelium.api.identity.Principal;
import io.mycelium.api.ratelimit.ActionRateLimiter;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSink;
import org.apache.pekko.stream.typed.javadsl.ActorSource;

/**
 * {@code GET /api/v1/agents/connect}: the WebSocket of a worker agent (authenticated like every API request: mTLS
 * identity, bearer token, or the local user). Each connection is a {@link WorkerConnection} actor; see it for the
 * messages.
 */
public final class AgentRoutes extends AllDirectives {
    /** The most a worker's message may hold: its output (64 KiB) and then some. */
    private static final int MAX_MESSAGE_CHARS = 256 * 1024;

    private static final int OUTBOUND_BUFFER = 1024;

    private final ActorSystem<?> system;
    private final ActorRef<TaskDispatcher.Command> dispatcher;
    private final ClusterSharding sharding;
    private final Task.WorkerTimeouts timeouts;
    private final ActionRateLimiter limiter;
    private final TaskMeters metrics;

    public AgentRoutes(
            ActorSystem<?> system,
            ActorRef<TaskDispatcher.Command> dispatcher,
            ClusterSharding sharding,
            Task.WorkerTimeouts timeouts,
            ActionRateLimiter limiter,
            TaskMeters metrics) {
        this.limiter = limiter;
        this.metrics = metrics;
        this.system = system;
        this.dispatcher = dispatcher;
        this.sharding = sharding;
        this.timeouts = timeouts;
    }

    public Route routes(Principal principal) {
        return path(
                segment("agents").slash("connect"), () -> get(() -> handleWebSocketMessages(connection(principal))));
    }

    private static org.apache.pekko.http.javadsl.server.PathMatcher0 segment(String name) {
        return org.apache.pekko.http.javadsl.server.PathMatchers.segment(name);
    }

    private Flow<Message, Message, NotUsed> connection(Principal principal) {
        // A worker that does not read its messages fills the buffer; its connection then fails and its tasks go on.
        Pair<ActorRef<WorkerConnection.Outbound>, Source<WorkerConnection.Outbound, NotUsed>> out =
                ActorSource.<WorkerConnection.Outbound>actorRef(
                                WorkerConnection.Outbound::close,
                                m -> Optional.empty(),
                                OUTBOUND_BUFFER,
                                OverflowStrategy.fail())
                        .preMaterialize(system);
        ActorRef<WorkerConnection.Command> connection = system.systemActorOf(
                WorkerConnection.create(
                        out.first(), dispatcher, sharding, timeouts, limiter, metrics, principal.name()),
                "worker-" + UUID.randomUUID(),
                Props.empty());
        Materializer materializer = Materializer.matFromSystem(system);
        var in = Flow.<Message>create()
                .mapAsync(1, m -> text(m, materializer))
                .map(t -> (WorkerConnection.Command) new WorkerConnection.Frame(t.orElse(null)))
                .to(ActorSink.actorRef(
                        connection, new WorkerConnection.Closed(), failure -> new WorkerConnection.Closed()));
        return Flow.fromSinkAndSourceCoupled(
                in, out.second().filter(o -> !o.close()).map(o -> (Message) TextMessage.create(o.text())));
    }

    private static CompletionStage<Optional<String>> text(Message message, Materializer materializer) {
        if (!message.isText()) {
            message.asBinaryMessage()
                    .getStreamedData()
                    .runWith(org.apache.pekko.stream.javadsl.Sink.ignore(), materializer);
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return message.asTextMessage()
                .getStreamedText()
                .limitWeighted(MAX_MESSAGE_CHARS, text -> (long) text.length())
                .runFold(new StringBuilder(), StringBuilder::append, materializer)
                .thenApply(b -> Optional.of(b.toString()));
    }
}

package io.mycelium.exec;

import io.mycelium.api.ApiException;
import io.mycelium.api.Failures;
import io.mycelium.api.Json;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/v1/exec?agentId=HOST&state=running,authorized&limit=N}: the executions whose outcome is open,
 * oldest request first, from this node's {@link ActiveExecutions} index of the facts. Every parameter is optional;
 * {@code state} takes the open states only ({@code pending_approval}, {@code authorized}, {@code running}).
 */
public final class ActiveExecRoutes extends AllDirectives {
    private static final int MAX_LIMIT = 10_000;
    private static final Set<String> PARAMETERS = Set.of("agentId", "state", "limit");
    private static final Set<ExecStatus.State> OPEN =
            EnumSet.of(ExecStatus.State.PENDING_APPROVAL, ExecStatus.State.AUTHORIZED, ExecStatus.State.RUNNING);

    private final ActorRef<ActiveExecutions.Command> index;
    private final Duration timeout;
    private final Scheduler scheduler;

    public ActiveExecRoutes(ActorRef<ActiveExecutions.Command> index, Duration timeout, Scheduler scheduler) {
        this.index = index;
        this.timeout = timeout;
        this.scheduler = scheduler;
    }

    public Route routes() {
        return path(
                "exec",
                () -> get(() -> parameterMap(parameters -> {
                    CompletionStage<HttpResponse> response;
                    try {
                        response = list(parameters);
                    } catch (ApiException e) {
                        return complete(Json.error(e));
                    }
                    return completeWithFuture(response.exceptionally(Failures::toResponse));
                })));
    }

    private CompletionStage<HttpResponse> list(Map<String, String> parameters) {
        for (String name : parameters.keySet()) {
            if (!PARAMETERS.contains(name)) {
                throw ApiException.badRequest(name, "unknown parameter " + name + ": use agentId, state or limit");
            }
        }
        String agentId = parameters.get("agentId");
        if (agentId != null && agentId.isBlank()) {
            throw ApiException.badRequest("agentId", "agentId is empty: name a host, or leave the parameter out");
        }
        Set<ExecStatus.State> states = states(parameters.get("state"));
        int limit = limit(parameters.get("limit"));
        return AskPattern.<ActiveExecutions.Command, ActiveExecutions.Reply>ask(
                        index,
                        replyTo -> new ActiveExecutions.ListActive(agentId, states, limit, replyTo),
                        timeout,
                        scheduler)
                .thenApply(reply -> switch (reply) {
                    case ActiveExecutions.Listing l ->
                        Json.response(
                                200,
                                Map.of(
                                        "executions",
                                        l.executions(),
                                        "count",
                                        l.executions().size(),
                                        "truncated",
                                        l.truncated()));
                    case ActiveExecutions.NotReady n ->
                        Json.error(new ApiException(503, "unavailable", n.message(), Map.of(), Duration.ofSeconds(1)));
                });
    }

    private static Set<ExecStatus.State> states(String value) {
        if (value == null) {
            return Set.of();
        }
        Set<ExecStatus.State> states = EnumSet.noneOf(ExecStatus.State.class);
        for (String name : value.split(",", -1)) {
            ExecStatus.State state;
            try {
                state = ExecStatus.State.valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest(
                        "state", "unknown state '" + name + "': use pending_approval, authorized or running");
            }
            if (!OPEN.contains(state)) {
                throw ApiException.badRequest(
                        "state",
                        "state " + name + " is final: this list holds open executions only; ended ones are in"
                                + " GET /api/v1/audit, or GET /api/v1/exec/{id}");
            }
            states.add(state);
        }
        return states;
    }

    private static int limit(String value) {
        if (value == null) {
            return 1000;
        }
        try {
            int n = Integer.parseInt(value);
            if (n >= 1 && n <= MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiException.badRequest("limit", "limit must be a number between 1 and " + MAX_LIMIT);
    }
}

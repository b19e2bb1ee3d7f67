package io.mycelium.task;

import io.mycelium.api.ApiException;
import io.mycelium.api.Failures;
import io.mycelium.api.Json;
import io.mycelium.api.Schemas;
import io.mycelium.api.identity.Principal;
import io.mycelium.api.ratelimit.ActionRateLimiter;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * {@code /api/v1/tasks} and {@code /api/v1/deadletter}: submit (201, or 200 with the task an idempotency key already
 * stands for), status with history, the list by state, cancel, the dead-letter queue and its redrive.
 */
public final class TaskRoutes extends AllDirectives {
    private static final int MAX_LIMIT = 10_000;

    private final TaskService service;
    private final ActionRateLimiter limiter;

    public TaskRoutes(TaskService service, ActionRateLimiter limiter) {
        this.service = service;
        this.limiter = limiter;
    }

    public Route routes(Principal principal) {
        return concat(
                pathPrefix(
                        "tasks",
                        () -> concat(
                                pathEnd(() -> concat(
                                        post(() -> submit(principal)),
                                        get(() -> parameterMap(p -> reply(() -> list(p)))))),
                                path(
                                        PathMatchers.segment(),
                                        id -> get(() ->
                                                reply(() -> service.status(id).thenApply(s -> Json.response(200, s))))),
                                path(
                                        PathMatchers.segment().slash("cancel"),
                                        id -> post(() -> reply(() -> service.cancel(id, principal)
                                                .thenApply(s -> Json.response(200, s))))))),
                pathPrefix(
                        "deadletter",
                        () -> concat(
                                pathEnd(() -> get(() -> parameterMap(p -> reply(() -> deadLetters(p))))),
                                path(
                                        PathMatchers.segment().slash("redrive"),
                                        id -> post(() -> reply(() -> service.redrive(id, principal)
                                                .thenApply(s -> Json.response(200, s))))))));
    }

    private Route submit(Principal principal) {
        return extractClientIP(ip -> entity(
                Unmarshaller.entityToString(),
                text -> reply(() -> limited(principal)
                        .submit(
                                TaskRequest.parse(
                                        Schemas.checked(Schemas.Type.TASK_SUBMIT, Json.parse(text)),
                                        service.settings()),
                                principal,
                                address(ip))
                        .thenApply(r -> {
                            Map<String, Object> body = new LinkedHashMap<>();
                            body.put("id", r.status().id());
                            body.put("created", r.created());
                            body.put("task", r.status());
                            return Json.response(r.created() ? 201 : 200, body);
                        }))));
    }

    private TaskService limited(Principal principal) {
        limiter.consume(ActionRateLimiter.Action.TASK_SUBMIT, principal.name());
        return service;
    }

    private CompletionStage<HttpResponse> list(Map<String, String> parameters) {
        only(parameters, Set.of("state", "limit"));
        Set<TaskState> states = EnumSet.noneOf(TaskState.class);
        String state = parameters.get("state");
        if (state != null) {
            for (String name : state.split(",", -1)) {
                try {
                    states.add(TaskState.parse(name));
                } catch (IllegalArgumentException e) {
                    throw ApiException.badRequest("state", e.getMessage());
                }
            }
        }
        return service.list(states, limit(parameters.get("limit")))
                .thenApply(l -> Json.response(
                        200, Map.of("tasks", l.tasks(), "count", l.tasks().size(), "truncated", l.truncated())));
    }

    private CompletionStage<HttpResponse> deadLetters(Map<String, String> parameters) {
        only(parameters, Set.of("limit"));
        return service.deadLetters(parameters.containsKey("limit") ? limit(parameters.get("limit")) : 100)
                .thenApply(tasks -> Json.response(200, Map.of("tasks", tasks, "count", tasks.size())));
    }

    private static void only(Map<String, String> parameters, Set<String> known) {
        for (String name : parameters.keySet()) {
            if (!known.contains(name)) {
                throw ApiException.badRequest(name, "unknown parameter " + name + ": use " + known);
            }
        }
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

    /** Answers with the handler's response, or the JSON error of what it threw or failed with. */
    private Route reply(Supplier<CompletionStage<HttpResponse>> handler) {
        CompletionStage<HttpResponse> response;
        try {
            response = handler.get();
        } catch (RuntimeException e) {
            return complete(Failures.toResponse(e));
        }
        return completeWithFuture(response.exceptionally(Failures::toResponse));
    }

    private static String address(RemoteAddress ip) {
        return ip.getAddress().map(java.net.InetAddress::getHostAddress).orElse("unknown");
    }
}

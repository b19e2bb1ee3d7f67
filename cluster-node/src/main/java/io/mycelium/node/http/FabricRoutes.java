package io.mycelium.node.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.mycelium.api.ApiException;
import io.mycelium.api.Failures;
import io.mycelium.api.Json;
import io.mycelium.api.identity.Principal;
import io.mycelium.mesh.fabric.Budget;
import io.mycelium.mesh.fabric.ControlFabric;
import io.mycelium.mesh.fabric.Plan;
import io.mycelium.mesh.repo.SporeFetcher;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * The control fabric on the admin API: {@code PUT/GET /api/v1/plans[/{app}]}, {@code PUT/GET
 * /api/v1/budgets[/{app}]} and {@code GET /api/v1/endpoints/{app}}. A plan's spore must be in the repo of some node
 * (it is fetched to this one), or the plan is refused: a plan that no node could run is an error now, not later.
 */
final class FabricRoutes extends AllDirectives {
    private final ControlFabric fabric;
    private final SporeFetcher fetcher;

    FabricRoutes(ControlFabric fabric, SporeFetcher fetcher) {
        this.fabric = fabric;
        this.fetcher = fetcher;
    }

    Route routes(Principal principal) {
        return concat(
                pathPrefix(
                        "plans",
                        () -> concat(
                                pathEndOrSingleSlash(() -> concat(
                                        get(() -> answer(
                                                fabric.plans().thenApply(p -> Map.of("plans", new TreeMap<>(p))))),
                                        put(() -> body(json -> publish(plan(json, null), principal))))),
                                path(
                                        PathMatchers.segment(),
                                        app -> concat(
                                                get(() -> answer(planWithHistory(app))),
                                                put(() -> body(json -> publish(plan(json, app), principal))))))),
                pathPrefix(
                        "budgets",
                        () -> concat(
                                pathEndOrSingleSlash(() -> concat(
                                        get(() -> answer(
                                                fabric.budgets().thenApply(b -> Map.of("budgets", new TreeMap<>(b))))),
                                        put(() -> body(json -> setBudget(budget(json, null), principal))))),
                                path(
                                        PathMatchers.segment(),
                                        app -> concat(
                                                get(() ->
                                                        answer(fabric.budgets().thenApply(all -> {
                                                            Budget budget = all.get(app);
                                                            if (budget == null) {
                                                                throw new ApiException(
                                                                        404,
                                                                        "budget_not_found",
                                                                        "no budget is set for app " + app);
                                                            }
                                                            return budget;
                                                        }))),
                                                put(() -> body(json -> setBudget(budget(json, app), principal))))))),
                path(
                        PathMatchers.segment("endpoints").slash(PathMatchers.segment()),
                        app -> get(() -> answer(fabric.endpoints(app)
                                .thenApply(endpoints -> Map.of("app", app, "endpoints", endpoints))))));
    }

    private Route body(java.util.function.Function<JsonNode, CompletionStage<?>> handler) {
        return entity(Unmarshaller.entityToString(), text -> {
            CompletionStage<?> result;
            try {
                result = handler.apply(Json.parse(text));
            } catch (RuntimeException e) {
                return complete(Failures.toResponse(e));
            }
            return answer(result);
        });
    }

    private Route answer(CompletionStage<?> result) {
        return completeWithFuture(
                result.thenApply(body -> Json.response(200, body)).exceptionally(SporeRoutes::error));
    }

    private CompletionStage<Object> publish(Plan plan, Principal principal) {
        return fetcher.fetch(plan.digest())
                .exceptionally(e -> {
                    throw new ApiException(
                            422,
                            "spore_not_found",
                            "no node has the spore " + plan.digest() + ": upload it first (mycelium repo put)",
                            Map.of("digest", plan.digest()),
                            null);
                })
                .thenCompose(file -> fabric.publish(plan, principal.name()))
                .thenApply(fact -> fact);
    }

    private CompletionStage<Object> setBudget(Budget budget, Principal principal) {
        return fabric.setBudget(budget, principal.name()).thenApply(fact -> fact);
    }

    private CompletionStage<Map<String, Object>> planWithHistory(String app) {
        return fabric.plan(app).thenCombine(fabric.history(app), (plan, history) -> {
            if (plan.isEmpty()) {
                throw new ApiException(404, "plan_not_found", "no plan is published for app " + app);
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("plan", plan.get());
            body.put("history", history);
            return body;
        });
    }

    /** A plan from {@code {app?, digest, min?, max?, port?}}; min and max default to 1, port to 0 (any). */
    private static Plan plan(JsonNode json, String app) {
        String name = field(json, "app", app);
        return new Plan(
                name,
                json.path("digest").asText(null),
                json.path("min").asInt(1),
                json.path("max").asInt(Math.max(1, json.path("min").asInt(1))),
                json.path("port").asInt(0));
    }

    private static Budget budget(JsonNode json, String app) {
        return new Budget(
                field(json, "app", app),
                json.path("maxInstances").asInt(0),
                json.path("cpuMilli").asInt(0),
                json.path("memoryMb").asInt(0));
    }

    private static String field(JsonNode json, String name, String fromPath) {
        if (!json.isObject()) {
            throw ApiException.badRequest(null, "a JSON object is expected");
        }
        String inBody = json.path(name).asText(null);
        if (fromPath != null && inBody != null && !inBody.equals(fromPath)) {
            throw ApiException.badRequest(
                    name, name + " in the body (" + inBody + ") is not the one in the path (" + fromPath + ")");
        }
        return fromPath != null ? fromPath : inBody;
    }
}

package io.mycelium.api.ratelimit;

import com.fasterxml.jackson.databind.JsonNode;
import io.mycelium.api.ApiException;
import io.mycelium.api.Durations;
import io.mycelium.api.Failures;
import io.mycelium.api.Json;
import io.mycelium.api.Schemas;
import io.mycelium.api.identity.Principal;
import io.mycelium.api.identity.PrincipalPatterns;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * {@code /api/v1/rate-limits}: the action limits in force ({@code GET}), changed while the node runs ({@code PUT
 * {"actions": {"task-submit": {"capacity": 100, "refill": 10, "period": "1s"}}}}, by principals in {@code
 * mycelium.node.policy-admins}; the actions named are replaced, the others stay). A change holds on this node until
 * it stops.
 */
public final class RateLimitRoutes extends AllDirectives {
    private final ActionRateLimiter limiter;
    private final List<String> admins;

    public RateLimitRoutes(ActionRateLimiter limiter, List<String> admins) {
        this.limiter = limiter;
        this.admins = List.copyOf(admins);
    }

    public Route routes(Principal principal) {
        return path(
                "rate-limits",
                () -> concat(
                        get(() -> complete(Json.response(200, body()))),
                        put(() -> entity(Unmarshaller.entityToString(), text -> {
                            if (!PrincipalPatterns.anyMatches(admins, principal.name())) {
                                return complete(Json.error(new ApiException(
                                        403,
                                        "not_a_policy_admin",
                                        principal.name()
                                                + " may not change rate limits (mycelium.node.policy-admins)")));
                            }
                            try {
                                limiter.replace(merged(Schemas.checked(Schemas.Type.RATE_LIMITS, Json.parse(text))
                                        .get("actions")));
                            } catch (RuntimeException e) {
                                return complete(Failures.toResponse(e));
                            }
                            return complete(Json.response(200, body()));
                        }))));
    }

    private Map<ActionRateLimiter.Action, ActionLimit> merged(JsonNode actions) {
        Map<ActionRateLimiter.Action, ActionLimit> limits = new EnumMap<>(ActionRateLimiter.Action.class);
        limits.putAll(limiter.limits());
        for (Iterator<Map.Entry<String, JsonNode>> it = actions.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode l = e.getValue();
            Duration period;
            try {
                period = Durations.parse(l.get("period").textValue());
            } catch (IllegalArgumentException bad) {
                throw ApiException.badRequest("actions", e.getKey() + ".period: " + bad.getMessage());
            }
            limits.put(
                    ActionRateLimiter.action(e.getKey()),
                    new ActionLimit(
                            l.get("capacity").longValue(), l.get("refill").longValue(), period));
        }
        return limits;
    }

    private Map<String, Object> body() {
        Map<String, Object> actions = new LinkedHashMap<>();
        limiter.limits().entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> actions.put(
                        e.getKey().key(),
                        Map.of(
                                "capacity", e.getValue().capacity(),
                                "refill", e.getValue().refill(),
                                "period", e.getValue().period().toString())));
        return Map.of("actions", actions);
    }
}

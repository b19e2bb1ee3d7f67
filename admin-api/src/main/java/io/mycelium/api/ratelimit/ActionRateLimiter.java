package io.mycelium.api.ratelimit;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.mycelium.api.RateLimitedException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Token buckets (Bucket4j) per action and per key: {@code http} per client IP, {@code task-submit} per principal,
 * {@code agent-message} per worker agent. The limits come from {@code mycelium.node.rate-limits.actions} and may be
 * replaced while the node runs ({@code PUT /api/v1/rate-limits}); a replacement starts every bucket full again.
 *
 * <p>Like the exec limits, these hold per node.
 */
public final class ActionRateLimiter {

    /** The actions with limits. */
    public enum Action {
        /** Any request to {@code /api/v1}, per client IP. */
        HTTP("http"),
        /** {@code POST /api/v1/tasks}, per principal. */
        TASK_SUBMIT("task-submit"),
        /** A message from a worker agent on its WebSocket, per agent (per connection before its hello). */
        AGENT_MESSAGE("agent-message");

        private final String key;

        Action(String key) {
            this.key = key;
        }

        /** The action's name in the configuration and the API. */
        public String key() {
            return key;
        }
    }

    private final AtomicReference<Map<Action, ActionLimit>> limits;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private static final int MAX_KEYS = 100_000;

    /** A limiter with these limits (an action without one is not limited). */
    public ActionRateLimiter(Map<Action, ActionLimit> limits) {
        this.limits = new AtomicReference<>(Map.copyOf(limits));
    }

    /** Reads {@code mycelium.node.rate-limits.actions}: one {@link ActionLimit} per action name. */
    public static Map<Action, ActionLimit> fromConfig(com.typesafe.config.Config actions) {
        Map<Action, ActionLimit> limits = new java.util.EnumMap<>(Action.class);
        for (Action action : Action.values()) {
            if (actions.hasPath(action.key())) {
                limits.put(action, ActionLimit.fromConfig(actions.getConfig(action.key())));
            }
        }
        return limits;
    }

    /** The action of a name, e.g. {@code task-submit}; {@link IllegalArgumentException} for an unknown one. */
    public static Action action(String key) {
        for (Action action : Action.values()) {
            if (action.key().equals(key)) {
                return action;
            }
        }
        throw new IllegalArgumentException("unknown action " + key + "; known: http, task-submit, agent-message");
    }

    /** The limits in force. */
    public Map<Action, ActionLimit> limits() {
        return limits.get();
    }

    /** Replaces the limits; every bucket starts anew. */
    public void replace(Map<Action, ActionLimit> replacement) {
        limits.set(Map.copyOf(replacement));
        buckets.clear();
    }

    /** Takes one token of {@code action} for {@code key}; throws {@link RateLimitedException} when there is none. */
    public void consume(Action action, String key) {
        ActionLimit limit = limits.get().get(action);
        if (limit == null || !limit.limited()) {
            return;
        }
        if (buckets.size() > MAX_KEYS) {
            // Keys are client addresses and names: bound the memory an address scan could take, at the price of
            // refilling everyone's buckets once in a while.
            buckets.clear();
        }
        Bucket bucket = buckets.computeIfAbsent(
                action.key() + "\n" + key,
                k -> Bucket.builder()
                        .addLimit(Bandwidth.builder()
                                .capacity(limit.capacity())
                                .refillGreedy(limit.refill(), limit.period())
                                .build())
                        .build());
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        if (!probe.isConsumed()) {
            long seconds = Math.max(
                    1, (Duration.ofNanos(probe.getNanosToWaitForRefill()).toMillis() + 999) / 1000);
            throw new RateLimitedException(
                    key + " is over its " + action.key() + " limit of " + limit.capacity() + " (then " + limit.refill()
                            + " per " + limit.period().toSeconds() + " s)",
                    Duration.ofSeconds(seconds));
        }
    }
}

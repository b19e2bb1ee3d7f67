package io.mycelium.api.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import io.mycelium.api.RateLimitedException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ActionRateLimiterTest {
    private static final ActionLimit THREE_AN_HOUR = new ActionLimit(3, 1, Duration.ofHours(1));

    @Test
    void aBucketPerActionAndKeyRefusesWithARetryAfter() {
        ActionRateLimiter limiter = new ActionRateLimiter(Map.of(ActionRateLimiter.Action.TASK_SUBMIT, THREE_AN_HOUR));
        for (int i = 0; i < 3; i++) {
            limiter.consume(ActionRateLimiter.Action.TASK_SUBMIT, "alice");
        }
        assertThatThrownBy(() -> limiter.consume(ActionRateLimiter.Action.TASK_SUBMIT, "alice"))
                .isInstanceOfSatisfying(RateLimitedException.class, e -> {
                    assertThat(e.retryAfter()).isBetween(Duration.ofMinutes(59), Duration.ofHours(1));
                    assertThat(e.getMessage()).contains("alice", "task-submit", "3");
                });
        // Another key, and an action without a limit, are not affected.
        limiter.consume(ActionRateLimiter.Action.TASK_SUBMIT, "bob");
        for (int i = 0; i < 100; i++) {
            limiter.consume(ActionRateLimiter.Action.HTTP, "127.0.0.1");
        }
    }

    @Test
    void aReplacementTakesEffectAtOnceWithFullBuckets() {
        ActionRateLimiter limiter =
                new ActionRateLimiter(Map.of(ActionRateLimiter.Action.AGENT_MESSAGE, THREE_AN_HOUR));
        for (int i = 0; i < 3; i++) {
            limiter.consume(ActionRateLimiter.Action.AGENT_MESSAGE, "w1");
        }
        limiter.replace(Map.of(ActionRateLimiter.Action.AGENT_MESSAGE, new ActionLimit(0, 1, Duration.ofSeconds(1))));
        for (int i = 0; i < 1000; i++) {
            limiter.consume(ActionRateLimiter.Action.AGENT_MESSAGE, "w1");
        }
        assertThat(limiter.limits().get(ActionRateLimiter.Action.AGENT_MESSAGE).limited())
                .isFalse();
    }

    @Test
    void theDefaultsReadFromTheConfiguration() {
        var limits = ActionRateLimiter.fromConfig(ConfigFactory.load().getConfig("mycelium.node.rate-limits.actions"));
        assertThat(limits).containsOnlyKeys(ActionRateLimiter.Action.values());
        assertThat(ActionRateLimiter.action("task-submit")).isEqualTo(ActionRateLimiter.Action.TASK_SUBMIT);
        assertThatThrownBy(() -> ActionRateLimiter.action("launch")).hasMessageContaining("unknown action");
        assertThatThrownBy(() -> new ActionLimit(-1, 1, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

package io.mycelium.task.alert;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The alerter's thresholds, from {@code mycelium.node.alerts} and {@code PUT /api/v1/alerts/rules}.
 *
 * @param queueDepth tasks waiting for an attempt above which {@code queue_growth} fires (0: off)
 * @param failuresPerMinute failed attempts in the last minute above which {@code failure_rate} fires (0: off)
 * @param stuckAfter a task not at rest without a new fact for this long is stuck; {@code stuck_tasks} fires while any
 *     is (zero: off)
 */
public record AlertRules(long queueDepth, long failuresPerMinute, Duration stuckAfter) {

    /** Validates. */
    public AlertRules {
        if (queueDepth < 0 || failuresPerMinute < 0 || stuckAfter == null || stuckAfter.isNegative()) {
            throw new IllegalArgumentException(
                    "alert rules need queueDepth >= 0, failuresPerMinute >= 0 and a non-negative stuckAfter");
        }
    }

    /** Reads {@code queue-depth, failures-per-minute, stuck-after}. */
    public static AlertRules fromConfig(Config c) {
        return new AlertRules(c.getLong("queue-depth"), c.getLong("failures-per-minute"), c.getDuration("stuck-after"));
    }
}

package io.mycelium.api.ratelimit;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * A token bucket for one action: up to {@code capacity} at once, {@code refill} tokens more every {@code period}
 * (refilled gradually); a capacity of 0 means no limit.
 */
public record ActionLimit(long capacity, long refill, Duration period) {

    /** Validates. */
    public ActionLimit {
        if (capacity < 0 || refill < 1 || period == null || period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException(
                    "an action limit needs capacity >= 0 (0: no limit), refill >= 1 and a positive period");
        }
    }

    /** Reads {@code {capacity, refill, period}}. */
    public static ActionLimit fromConfig(Config c) {
        return new ActionLimit(c.getLong("capacity"), c.getLong("refill"), c.getDuration("period"));
    }

    /** Whether this limits anything. */
    public boolean limited() {
        return capacity > 0;
    }
}

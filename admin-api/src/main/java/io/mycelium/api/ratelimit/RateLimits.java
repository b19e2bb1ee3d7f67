package io.mycelium.api.ratelimit;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * One principal's limits on the exec API.
 *
 * @param requestsPerMinute requests admitted per minute (token bucket, refilled gradually); 0 for no limit
 * @param concurrentLimit executions running at once
 * @param queueSize requests that may wait for a running slot; more are refused at once
 * @param queueTimeout how long a request waits for a slot before it is refused
 */
public record RateLimits(int requestsPerMinute, int concurrentLimit, int queueSize, Duration queueTimeout) {

    /** Validates. */
    public RateLimits {
        if (requestsPerMinute < 0 || concurrentLimit < 1 || queueSize < 0 || queueTimeout.isNegative()) {
            throw new IllegalArgumentException("rate limits need requestsPerMinute >= 0, concurrentLimit >= 1,"
                    + " queueSize >= 0 and a non-negative queueTimeout");
        }
    }

    /** Reads one limits block: {@code requests-per-minute, concurrent-limit, queue-size, queue-timeout}. */
    public static RateLimits fromConfig(Config c) {
        return new RateLimits(
                c.getInt("requests-per-minute"),
                c.getInt("concurrent-limit"),
                c.getInt("queue-size"),
                c.getDuration("queue-timeout"));
    }
}

package io.mycelium.api;

import java.time.Duration;

/** A request over its principal's limits: answered 429 with {@code Retry-After}. */
public final class RateLimitedException extends RuntimeException {
    private final Duration retryAfter;

    /** A refusal saying why and when to try again. */
    public RateLimitedException(String message, Duration retryAfter) {
        super(message, null, false, false);
        this.retryAfter = retryAfter;
    }

    /** When trying again may succeed; at least one second. */
    public Duration retryAfter() {
        return retryAfter;
    }
}

package io.mycelium.api.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mycelium.api.RateLimitedException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link PrincipalRateLimiter}: the request rate, the concurrency limit, its queue and the queue's timeout. */
class PrincipalRateLimiterTest {
    private final ScheduledExecutorService timeouts = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        timeouts.shutdownNow();
    }

    private PrincipalRateLimiter limiter(RateLimits limits) {
        return new PrincipalRateLimiter(p -> limits, timeouts);
    }

    private static CompletableFuture<PrincipalRateLimiter.Permit> acquire(PrincipalRateLimiter l, String who) {
        return l.acquire(who).toCompletableFuture();
    }

    private static RateLimitedException refusal(CompletableFuture<?> f) {
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
                ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS));
        assertThat(e.getCause()).isInstanceOf(RateLimitedException.class);
        return (RateLimitedException) e.getCause();
    }

    @Test
    void overRequestsPerMinuteIsRefusedWithWhenToRetry() throws Exception {
        PrincipalRateLimiter l = limiter(new RateLimits(2, 100, 0, Duration.ofSeconds(1)));
        acquire(l, "alice").get().release();
        acquire(l, "alice").get().release();
        RateLimitedException e = refusal(acquire(l, "alice"));
        assertThat(e.getMessage()).contains("alice").contains("2 requests per minute");
        // Two a minute refill one token every 30 s.
        assertThat(e.retryAfter()).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(30));
        assertThat(acquire(l, "bob").get())
                .as("another principal has its own bucket")
                .isNotNull();
    }

    @Test
    void zeroRequestsPerMinuteMeansNoRateLimit() throws Exception {
        PrincipalRateLimiter l = limiter(new RateLimits(0, 1000, 0, Duration.ofSeconds(1)));
        for (int i = 0; i < 500; i++) {
            acquire(l, "alice").get().release();
        }
    }

    @Test
    void overTheConcurrencyLimitRequestsQueueAndAFullQueueRefuses() throws Exception {
        PrincipalRateLimiter l = limiter(new RateLimits(0, 1, 1, Duration.ofSeconds(10)));
        PrincipalRateLimiter.Permit first = acquire(l, "alice").get();
        CompletableFuture<PrincipalRateLimiter.Permit> queued = acquire(l, "alice");
        assertThat(queued).isNotDone();
        RateLimitedException full = refusal(acquire(l, "alice"));
        assertThat(full.getMessage()).contains("queue size");
        assertThat(full.retryAfter()).isEqualTo(Duration.ofSeconds(1));

        first.release();
        PrincipalRateLimiter.Permit second = queued.get(1, TimeUnit.SECONDS);
        // Releasing twice frees one slot, not two.
        first.release();
        CompletableFuture<PrincipalRateLimiter.Permit> third = acquire(l, "alice");
        assertThat(third).isNotDone();
        second.release();
        assertThat(third.get(1, TimeUnit.SECONDS)).isNotNull();
    }

    @Test
    void aQueuedRequestIsRefusedWhenItsQueueTimeRunsOut() throws Exception {
        PrincipalRateLimiter l = limiter(new RateLimits(0, 1, 5, Duration.ofMillis(150)));
        PrincipalRateLimiter.Permit running = acquire(l, "alice").get();
        long start = System.nanoTime();
        RateLimitedException e = refusal(acquire(l, "alice"));
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(waited).isBetween(100L, 3000L);
        assertThat(e.getMessage()).contains("150 ms").contains("queue timeout");

        // The timed-out request left the queue: the slot goes to nobody, the next request gets it at once.
        running.release();
        assertThat(acquire(l, "alice")).succeedsWithin(Duration.ofSeconds(1));
    }

    @Test
    void limitsAreLookedUpPerPrincipal() throws Exception {
        Map<String, RateLimits> limits = Map.of("ci", new RateLimits(1, 10, 0, Duration.ofSeconds(1)));
        PrincipalRateLimiter l = new PrincipalRateLimiter(
                p -> limits.getOrDefault(p, new RateLimits(0, 10, 0, Duration.ofSeconds(1))), timeouts);
        acquire(l, "ci").get().release();
        assertThatThrownBy(() -> acquire(l, "ci").get()).hasCauseInstanceOf(RateLimitedException.class);
        for (int i = 0; i < 5; i++) {
            acquire(l, "alice").get().release();
        }
    }
}

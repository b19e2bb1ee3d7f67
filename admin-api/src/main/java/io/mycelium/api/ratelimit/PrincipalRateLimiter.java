package io.mycelium.api.ratelimit;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.mycelium.api.RateLimitedException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Admits exec requests per principal: a Bucket4j token bucket for the request rate, then a concurrency limit with a
 * bounded wait queue. Non-blocking: a request waiting for a slot is a future, completed when a running one ends or
 * failed when its queue time is up.
 *
 * <p>The limits hold per node: a principal spreading requests over three nodes gets three times the rate. Sharing
 * buckets across the cluster (Bucket4j's distributed backends need a store we do not run) is not built.
 */
public final class PrincipalRateLimiter {
    private final Function<String, RateLimits> limitsFor;
    private final ScheduledExecutorService scheduler;
    private final Map<String, PrincipalState> principals = new ConcurrentHashMap<>();

    /**
     * @param limitsFor each principal's limits
     * @param scheduler runs queue timeouts
     */
    public PrincipalRateLimiter(Function<String, RateLimits> limitsFor, ScheduledExecutorService scheduler) {
        this.limitsFor = limitsFor;
        this.scheduler = scheduler;
    }

    /** A running slot: release it exactly once when the execution ends. */
    public interface Permit {
        /** Frees the slot for the next waiting request. */
        void release();
    }

    /**
     * Admits a request: completes with a permit, or fails with {@link RateLimitedException} when the principal is over
     * its rate, its queue is full, or its queue time ran out.
     */
    public CompletionStage<Permit> acquire(String principal) {
        PrincipalState state = principals.computeIfAbsent(principal, p -> new PrincipalState(limitsFor.apply(p)));
        return state.acquire(principal);
    }

    private final class PrincipalState {
        private final RateLimits limits;
        private final Bucket bucket;
        private final ArrayDeque<CompletableFuture<Permit>> queue = new ArrayDeque<>();
        private int running;

        PrincipalState(RateLimits limits) {
            this.limits = limits;
            this.bucket = limits.requestsPerMinute() == 0
                    ? null
                    : Bucket.builder()
                            .addLimit(Bandwidth.builder()
                                    .capacity(limits.requestsPerMinute())
                                    .refillGreedy(limits.requestsPerMinute(), Duration.ofMinutes(1))
                                    .build())
                            .build();
        }

        CompletionStage<Permit> acquire(String principal) {
            if (bucket != null) {
                ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
                if (!probe.isConsumed()) {
                    return CompletableFuture.failedFuture(new RateLimitedException(
                            principal + " is over its limit of " + limits.requestsPerMinute() + " requests per minute",
                            atLeastOneSecond(Duration.ofNanos(probe.getNanosToWaitForRefill()))));
                }
            }
            synchronized (this) {
                if (running < limits.concurrentLimit()) {
                    running++;
                    return CompletableFuture.completedFuture(permit());
                }
                if (queue.size() >= limits.queueSize()) {
                    return CompletableFuture.failedFuture(new RateLimitedException(
                            principal + " already runs " + running + " executions (its limit) with " + queue.size()
                                    + " more waiting (its queue size)",
                            Duration.ofSeconds(1)));
                }
                CompletableFuture<Permit> waiting = new CompletableFuture<>();
                queue.add(waiting);
                scheduler.schedule(
                        () -> {
                            boolean removed;
                            synchronized (this) {
                                removed = queue.remove(waiting);
                            }
                            if (removed) {
                                waiting.completeExceptionally(new RateLimitedException(
                                        principal + " waited "
                                                + limits.queueTimeout().toMillis()
                                                + " ms (its queue timeout) without a free execution slot",
                                        Duration.ofSeconds(1)));
                            }
                        },
                        limits.queueTimeout().toMillis(),
                        TimeUnit.MILLISECONDS);
                return waiting;
            }
        }

        private Permit permit() {
            return new Permit() {
                private boolean released;

                @Override
                public void release() {
                    CompletableFuture<Permit> next;
                    synchronized (PrincipalState.this) {
                        if (released) {
                            return;
                        }
                        released = true;
                        next = queue.poll();
                        if (next == null) {
                            running--;
                        }
                    }
                    // The slot passes straight to the next waiting request.
                    if (next != null && !next.complete(permit())) {
                        permit().release();
                    }
                }
            };
        }
    }

    private static Duration atLeastOneSecond(Duration d) {
        long seconds = (d.toMillis() + 999) / 1000;
        return Duration.ofSeconds(Math.max(1, seconds));
    }
}

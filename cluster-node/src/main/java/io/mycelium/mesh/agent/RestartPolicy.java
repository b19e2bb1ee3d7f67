package io.mycelium.mesh.agent;

import java.time.Duration;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * What a node agent does when an instance that served exits on its own: nothing, start it again at once, or start
 * it again after an exponential backoff with jitter (so that agents whose instances crashed together do not restart
 * in lockstep).
 */
public record RestartPolicy(Kind kind, Duration minBackoff, Duration maxBackoff, double jitter) {
    /** The policies. */
    public enum Kind {
        NEVER,
        ALWAYS,
        BACKOFF
    }

    /** The delay before restart number {@code attempt} (1 for the first), or empty for {@link Kind#NEVER}. */
    public Optional<Duration> delay(int attempt, RandomGenerator random) {
        return switch (kind) {
            case NEVER -> Optional.empty();
            case ALWAYS -> Optional.of(Duration.ZERO);
            case BACKOFF -> {
                double base = minBackoff.toMillis() * Math.pow(2, Math.max(0, attempt - 1));
                double capped = Math.min(base, maxBackoff.toMillis());
                double factor = 1 + jitter * (2 * random.nextDouble() - 1);
                yield Optional.of(Duration.ofMillis(Math.round(capped * factor)));
            }
        };
    }
}

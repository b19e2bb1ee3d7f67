package io.mycelium.mesh.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RestartPolicyTest {
    @Test
    void backoffDoublesUpToTheCapWithinTheJitter() {
        RestartPolicy policy =
                new RestartPolicy(RestartPolicy.Kind.BACKOFF, Duration.ofMillis(100), Duration.ofSeconds(1), 0.2);
        Random random = new Random(42);
        long[] expected = {100, 200, 400, 800, 1000, 1000};
        for (int attempt = 1; attempt <= expected.length; attempt++) {
            long delay = policy.delay(attempt, random).orElseThrow().toMillis();
            assertThat(delay)
                    .as("attempt " + attempt)
                    .isBetween(Math.round(expected[attempt - 1] * 0.8), Math.round(expected[attempt - 1] * 1.2));
        }
    }

    @Test
    void jitterSpreadsAgentsThatCrashedTogether() {
        RestartPolicy policy =
                new RestartPolicy(RestartPolicy.Kind.BACKOFF, Duration.ofMillis(1000), Duration.ofSeconds(10), 0.2);
        Random random = new Random(7);
        long distinct = java.util.stream.IntStream.range(0, 20)
                .mapToObj(i -> policy.delay(1, random).orElseThrow())
                .distinct()
                .count();
        assertThat(distinct).isGreaterThan(10);
    }

    @Test
    void neverAndAlways() {
        Random random = new Random(1);
        assertThat(new RestartPolicy(RestartPolicy.Kind.NEVER, Duration.ZERO, Duration.ZERO, 0).delay(1, random))
                .isEmpty();
        assertThat(new RestartPolicy(RestartPolicy.Kind.ALWAYS, Duration.ZERO, Duration.ZERO, 0).delay(5, random))
                .contains(Duration.ZERO);
    }
}

package io.mycelium.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The pure parts of a task: its state after each fact, rounds and deadlines, and the backoff. */
class TaskStateTest {
    private static final Instant AT = TaskGoldenBytesTest.AT;

    @Test
    void backoffDoublesPerAttemptUpToTheMaxWithAtMostHalfTakenOffAsJitter() {
        Duration initial = Duration.ofMillis(100);
        Duration max = Duration.ofSeconds(1);
        assertThat(Task.backoff(1, initial, max, 0.0)).isEqualTo(Duration.ofMillis(50));
        assertThat(Task.backoff(1, initial, max, 0.999)).isBetween(Duration.ofMillis(99), Duration.ofMillis(100));
        assertThat(Task.backoff(2, initial, max, 1.0)).isEqualTo(Duration.ofMillis(200));
        assertThat(Task.backoff(3, initial, max, 1.0)).isEqualTo(Duration.ofMillis(400));
        assertThat(Task.backoff(5, initial, max, 1.0)).isEqualTo(max);
        assertThat(Task.backoff(5, initial, max, 0.0)).isEqualTo(Duration.ofMillis(500));
        // No overflow however many attempts.
        assertThat(Task.backoff(10_000, initial, max, 0.5)).isBetween(Duration.ofMillis(500), max);
    }

    @Test
    void aRedriveStartsANewRoundWithItsOwnDeadline() {
        Task.State dead = Task.State.empty()
                .apply(TaskGoldenBytesTest.SUBMITTED)
                .apply(new Task.TaskScheduled(1, AT, AT))
                .apply(new Task.TaskAssigned(1, "web1", "x.1", AT))
                .apply(new Task.TaskFailed(1, "exit_code", "exited with 1", 1, "", "", AT))
                .apply(new Task.TaskDeadLettered("max_attempts", "all failed", AT));
        assertThat(dead.state()).isEqualTo(TaskState.DEAD_LETTERED);
        assertThat(dead.status().error().code()).isEqualTo("max_attempts");
        assertThat(dead.deadline()).isEqualTo(AT.plus(Duration.ofHours(1)));
        Instant later = AT.plus(Duration.ofDays(2));
        Task.State redriven =
                dead.apply(new Task.TaskRedriven("bob", later)).apply(new Task.TaskScheduled(2, later, later));
        assertThat(redriven.state()).isEqualTo(TaskState.SCHEDULED);
        assertThat(redriven.attemptsThisRound()).isEqualTo(1);
        assertThat(redriven.deadline()).isEqualTo(later.plus(Duration.ofHours(1)));
        // The dead-letter reason is gone; the last attempt's failure stays until the next attempt ends.
        assertThat(redriven.status().error().code()).isEqualTo("exit_code");
        assertThat(redriven.status().nextAttemptAt()).isEqualTo(later);
        assertThat(redriven.status().history())
                .extracting(TaskStatus.HistoryEntry::fact)
                .containsExactly(
                        "submitted", "scheduled", "assigned", "failed", "dead_lettered", "redriven", "scheduled");
    }

    @Test
    void theStatusCarriesTheLastAttemptsOutcome() {
        TaskStatus status = TaskGoldenBytesTest.completed().status();
        assertThat(status.state()).isEqualTo(TaskState.COMPLETED);
        assertThat(status.attempt()).isEqualTo(2);
        assertThat(status.stdout()).isEqualTo("ok\n");
        assertThat(status.executionId()).isEqualTo("7f1c0a4e-task.2");
        assertThat(status.endTime()).isEqualTo(AT.plusSeconds(2));
        assertThat(status.history()).hasSize(9);
    }

    @Test
    void statesParseInAnyCase() {
        assertThat(TaskState.parse("dead_lettered")).isEqualTo(TaskState.DEAD_LETTERED);
        assertThat(TaskState.parse(" Completed ")).isEqualTo(TaskState.COMPLETED);
        assertThatThrownBy(() -> TaskState.parse("done")).hasMessageContaining("dead_lettered");
    }
}

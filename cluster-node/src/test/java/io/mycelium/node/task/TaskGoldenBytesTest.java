package io.mycelium.node.task;

import static io.mycelium.journal.testkit.GoldenBytes.assertSerializedMatches;

import io.mycelium.node.GoldenSystem;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The stored and wire format of the task facts, their snapshot state, the task's messages and the idempotency keys,
 * pinned in src/test/resources/golden: a failure means journals or nodes of the previous version no longer read them.
 */
class TaskGoldenBytesTest {
    static final Instant AT = Instant.parse("2026-11-22T10:00:00.123456789Z");
    static final Task.TaskSubmitted SUBMITTED = new Task.TaskSubmitted(
            "7f1c0a4e-task",
            "web1",
            List.of("make", "test"),
            3,
            Duration.ofSeconds(1),
            Duration.ofMinutes(1),
            Duration.ofHours(1),
            Duration.ofMinutes(10),
            "build-1234",
            "spiffe://example.org/ci",
            "SPIFFE",
            "127.0.0.1",
            AT);

    private static ActorTestKit testKit;
    private static ActorSystem<?> system;

    @BeforeAll
    static void start() {
        testKit = GoldenSystem.start();
        system = testKit.system();
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private static <T> ActorRef<T> ref() {
        return system.deadLetters();
    }

    /** A task that failed once, was retried and completed, as a snapshot holds it. */
    static Task.State completed() {
        return Task.State.empty()
                .apply(SUBMITTED)
                .apply(new Task.TaskScheduled(1, AT, AT))
                .apply(new Task.TaskAssigned(1, "web1", "7f1c0a4e-task.1", AT))
                .apply(new Task.TaskAccepted(1, "web1", AT))
                .apply(new Task.TaskFailed(1, "exit_code", "the command exited with 2", 2, "", "boom\n", AT))
                .apply(new Task.TaskScheduled(2, AT.plusSeconds(1), AT))
                .apply(new Task.TaskAssigned(2, "web1", "7f1c0a4e-task.2", AT.plusSeconds(1)))
                .apply(new Task.TaskAccepted(2, "web1", AT.plusSeconds(1)))
                .apply(new Task.TaskCompleted(2, 0, "ok\n", "", AT.plusSeconds(2)));
    }

    @Test
    void theFacts() {
        assertSerializedMatches(system, "task-submitted-v1", SUBMITTED);
        assertSerializedMatches(system, "task-scheduled-v1", new Task.TaskScheduled(2, AT.plusSeconds(1), AT));
        assertSerializedMatches(system, "task-assigned-v1", new Task.TaskAssigned(1, "web1", "t.1", AT));
        assertSerializedMatches(system, "task-accepted-v1", new Task.TaskAccepted(1, "web1", AT));
        assertSerializedMatches(system, "task-completed-v1", new Task.TaskCompleted(1, 0, "hi\n", "", AT));
        assertSerializedMatches(
                system, "task-failed-v1", new Task.TaskFailed(1, "lost", "the node died", null, null, null, AT));
        assertSerializedMatches(
                system, "task-dead-lettered-v1", new Task.TaskDeadLettered("max_attempts", "all 3 failed", AT));
        assertSerializedMatches(system, "task-cancelled-v1", new Task.TaskCancelled("alice", AT));
        assertSerializedMatches(system, "task-redriven-v1", new Task.TaskRedriven("alice", AT));
        assertSerializedMatches(system, "task-state-v1", completed());
        assertSerializedMatches(system, "task-key-claimed-v1", new IdempotencyKey.KeyClaimed("7f1c0a4e-task", AT));
        assertSerializedMatches(system, "task-key-state-v1", new IdempotencyKey.State("7f1c0a4e-task", AT));
    }

    @Test
    void theStatusAndTheMessages() {
        TaskStatus status = completed().status();
        assertSerializedMatches(system, "task-status-v1", status);
        assertSerializedMatches(system, "task-submit-v1", new Task.Submit(SUBMITTED, ref()));
        assertSerializedMatches(system, "task-submit-reply-v1", new Task.SubmitReply(status, true));
        assertSerializedMatches(system, "task-get-status-v1", new Task.GetStatus(ref()));
        assertSerializedMatches(system, "task-cancel-v1", new Task.Cancel("alice", ref()));
        assertSerializedMatches(system, "task-redrive-v1", new Task.Redrive("alice", ref()));
        assertSerializedMatches(system, "task-dispatch-v1", new Task.Dispatch(2));
        assertSerializedMatches(system, "task-attempt-accepted-v1", new Task.AttemptAccepted(2, AT));
        assertSerializedMatches(
                system,
                "task-attempt-ended-v1",
                new Task.AttemptEnded(2, 1, "out", "err", "exit_code", "exited with 1", false, AT));
        assertSerializedMatches(
                system, "task-key-claim-v1", new IdempotencyKey.Claim("t", Duration.ofHours(24), ref()));
        assertSerializedMatches(system, "task-key-claimed-reply-v1", new IdempotencyKey.Claimed("t", false));
    }
}

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
            null,
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
        assertSerializedMatches(system, "task-released-v1", new Task.TaskReleased(2, "w1", "not accepted", AT));
        assertSerializedMatches(system, "task-duplicate-completion-v1", new Task.TaskDuplicateCompletion(1, "w1", AT));
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
        ActorRef<WorkerConnection.Command> worker = ref();
        assertSerializedMatches(system, "task-offer-v1", new Task.Offer(2, "w1", worker));
        assertSerializedMatches(system, "task-worker-accept-v1", new Task.WorkerAccept(2, "w1", worker));
        assertSerializedMatches(system, "task-worker-heartbeat-v1", new Task.WorkerHeartbeat(2, "w1", "50%", worker));
        assertSerializedMatches(system, "task-worker-reject-v1", new Task.WorkerReject(2, "w1", "busy", worker));
        assertSerializedMatches(
                system,
                "task-worker-report-v1",
                new Task.WorkerReport(2, "w1", false, 3, "out", "broke", true, worker));
        assertSerializedMatches(system, "task-worker-lost-v1", new Task.WorkerLost(2, "w1"));
        assertSerializedMatches(system, "task-accept-timeout-v1", new Task.AcceptTimeout(2));
        assertSerializedMatches(system, "task-lease-expired-v1", new Task.LeaseExpired(2));
        assertSerializedMatches(system, "task-redispatch-v1", new Task.Redispatch(2));
        assertSerializedMatches(system, "dispatcher-ready-v1", new TaskDispatcher.Ready("t", "build", 2));
        assertSerializedMatches(
                system,
                "dispatcher-worker-up-v1",
                new TaskDispatcher.WorkerUp("w1", java.util.Set.of("build"), 2, worker));
        assertSerializedMatches(system, "dispatcher-slot-free-v1", new TaskDispatcher.SlotFree("w1"));
        assertSerializedMatches(system, "dispatcher-worker-down-v1", new TaskDispatcher.WorkerDown("w1", worker));
        assertSerializedMatches(
                system,
                "worker-assign-v1",
                new WorkerConnection.Assign("t", 2, List.of("make"), Duration.ofSeconds(10), Duration.ofSeconds(30)));
        assertSerializedMatches(system, "worker-revoke-v1", new WorkerConnection.Revoke("t", 2, "lease expired"));
        assertSerializedMatches(
                system, "worker-answer-v1", new WorkerConnection.Answer("t", 2, "leased", AT, null, null));
        assertSerializedMatches(system, "worker-agent-id-taken-v1", new WorkerConnection.AgentIdTaken("w1"));
    }
}

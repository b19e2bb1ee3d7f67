package io.mycelium.task;

import io.mycelium.journal.testkit.GoldenSystem;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

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

    @RegisterExtension
    static final GoldenSystem golden = new GoldenSystem();

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
        golden.assertMatches("task-submitted-v1", SUBMITTED);
        golden.assertMatches("task-scheduled-v1", new Task.TaskScheduled(2, AT.plusSeconds(1), AT));
        golden.assertMatches("task-assigned-v1", new Task.TaskAssigned(1, "web1", "t.1", AT));
        golden.assertMatches("task-accepted-v1", new Task.TaskAccepted(1, "web1", AT));
        golden.assertMatches("task-completed-v1", new Task.TaskCompleted(1, 0, "hi\n", "", AT));
        golden.assertMatches("task-failed-v1", new Task.TaskFailed(1, "lost", "the node died", null, null, null, AT));
        golden.assertMatches("task-dead-lettered-v1", new Task.TaskDeadLettered("max_attempts", "all 3 failed", AT));
        golden.assertMatches("task-cancelled-v1", new Task.TaskCancelled("alice", AT));
        golden.assertMatches("task-redriven-v1", new Task.TaskRedriven("alice", AT));
        golden.assertMatches("task-state-v1", completed());
        golden.assertMatches("task-key-claimed-v1", new IdempotencyKey.KeyClaimed("7f1c0a4e-task", AT));
        golden.assertMatches("task-key-state-v1", new IdempotencyKey.State("7f1c0a4e-task", AT));
        golden.assertMatches("task-released-v1", new Task.TaskReleased(2, "w1", "not accepted", AT));
        golden.assertMatches("task-duplicate-completion-v1", new Task.TaskDuplicateCompletion(1, "w1", AT));
    }

    @Test
    void theStatusAndTheMessages() {
        TaskStatus status = completed().status();
        golden.assertMatches("task-status-v1", status);
        golden.assertMatches("task-submit-v1", new Task.Submit(SUBMITTED, golden.ref()));
        golden.assertMatches("task-submit-reply-v1", new Task.SubmitReply(status, true));
        golden.assertMatches("task-get-status-v1", new Task.GetStatus(golden.ref()));
        golden.assertMatches("task-cancel-v1", new Task.Cancel("alice", golden.ref()));
        golden.assertMatches("task-redrive-v1", new Task.Redrive("alice", golden.ref()));
        golden.assertMatches("task-dispatch-v1", new Task.Dispatch(2));
        golden.assertMatches("task-attempt-accepted-v1", new Task.AttemptAccepted(2, AT));
        golden.assertMatches(
                "task-attempt-ended-v1",
                new Task.AttemptEnded(2, 1, "out", "err", "exit_code", "exited with 1", false, AT));
        golden.assertMatches("task-key-claim-v1", new IdempotencyKey.Claim("t", Duration.ofHours(24), golden.ref()));
        golden.assertMatches("task-key-claimed-reply-v1", new IdempotencyKey.Claimed("t", false));
        ActorRef<WorkerConnection.Command> worker = golden.ref();
        golden.assertMatches("task-offer-v1", new Task.Offer(2, "w1", worker));
        golden.assertMatches("task-worker-accept-v1", new Task.WorkerAccept(2, "w1", worker));
        golden.assertMatches("task-worker-heartbeat-v1", new Task.WorkerHeartbeat(2, "w1", "50%", worker));
        golden.assertMatches("task-worker-reject-v1", new Task.WorkerReject(2, "w1", "busy", worker));
        golden.assertMatches(
                "task-worker-report-v1", new Task.WorkerReport(2, "w1", false, 3, "out", "broke", true, worker));
        golden.assertMatches("task-worker-lost-v1", new Task.WorkerLost(2, "w1"));
        golden.assertMatches("task-accept-timeout-v1", new Task.AcceptTimeout(2));
        golden.assertMatches("task-lease-expired-v1", new Task.LeaseExpired(2));
        golden.assertMatches("task-redispatch-v1", new Task.Redispatch(2));
        golden.assertMatches("dispatcher-ready-v1", new TaskDispatcher.Ready("t", "build", 2));
        golden.assertMatches(
                "dispatcher-worker-up-v1", new TaskDispatcher.WorkerUp("w1", java.util.Set.of("build"), 2, worker));
        golden.assertMatches("dispatcher-slot-free-v1", new TaskDispatcher.SlotFree("w1"));
        golden.assertMatches("dispatcher-worker-down-v1", new TaskDispatcher.WorkerDown("w1", worker));
        golden.assertMatches(
                "worker-assign-v1",
                new WorkerConnection.Assign("t", 2, List.of("make"), Duration.ofSeconds(10), Duration.ofSeconds(30)));
        golden.assertMatches("worker-revoke-v1", new WorkerConnection.Revoke("t", 2, "lease expired"));
        golden.assertMatches("worker-answer-v1", new WorkerConnection.Answer("t", 2, "leased", AT, null, null));
        golden.assertMatches("worker-agent-id-taken-v1", new WorkerConnection.AgentIdTaken("w1"));
    }
}

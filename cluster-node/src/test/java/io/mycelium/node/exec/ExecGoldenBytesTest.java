package io.mycelium.node.exec;

import static io.mycelium.journal.testkit.GoldenBytes.assertSerializedMatches;

import io.mycelium.node.GoldenSystem;
import io.mycelium.node.audit.ExecAuditLog;
import io.mycelium.node.host.HostContext;
import io.mycelium.node.policy.PolicyDecision;
import io.mycelium.node.policy.ResourceLimits;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The stored and wire format of the execution facts, their snapshot state, the execution's messages and the output
 * chunks, pinned in src/test/resources/golden: a failure means journals or nodes of the previous version no longer
 * read them.
 */
class ExecGoldenBytesTest {
    static final Instant AT = Instant.parse("2026-11-21T10:00:00.123456789Z");
    static final PolicyDecision.Allowed ALLOWED = new PolicyDecision.Allowed(
            "local-user",
            false,
            Duration.ofMinutes(5),
            Map.of("APP_ENV", "prod"),
            List.of("LD_PRELOAD"),
            ResourceLimits.NONE);
    static final Execution.ExecRequested REQUESTED = new Execution.ExecRequested(
            "deploy-42",
            "web1",
            List.of("systemctl", "restart", "app", "--token", "[REDACTED]"),
            "/srv/app",
            "deploy",
            Duration.ofSeconds(30),
            false,
            false,
            "spiffe://example.org/ci",
            "127.0.0.1",
            AT.minusSeconds(1),
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

    /** The state after a request ran to an exit, as a snapshot holds it. */
    private static Execution.State exited() {
        return Execution.State.empty()
                .apply(REQUESTED)
                .apply(new Execution.ExecAuthorized(ALLOWED, "bob", AT))
                .apply(new Execution.ProcessStarted("web1", 4242, AT))
                .apply(new Execution.ProcessExited(3, 0, Duration.ofMillis(1500), AT.plusSeconds(2)));
    }

    @Test
    void theFacts() {
        assertSerializedMatches(system, "exec-requested-v1", REQUESTED);
        assertSerializedMatches(system, "exec-authorized-v1", new Execution.ExecAuthorized(ALLOWED, "bob", AT));
        assertSerializedMatches(
                system, "exec-denied-v1", new Execution.ExecDenied("guarded", "rm * is denied", null, AT));
        assertSerializedMatches(system, "exec-pending-approval-v1", new Execution.ExecPendingApproval(ALLOWED, AT));
        assertSerializedMatches(system, "process-started-v1", new Execution.ProcessStarted("web1", 4242, AT));
        assertSerializedMatches(
                system, "process-exited-v1", new Execution.ProcessExited(3, 9, Duration.ofMillis(1500), AT));
        assertSerializedMatches(system, "exec-cancelled-v1", new Execution.ExecCancelled("alice", AT));
        assertSerializedMatches(system, "exec-timed-out-v1", new Execution.ExecTimedOut(Duration.ofSeconds(30), AT));
        assertSerializedMatches(system, "exec-failed-v1", new Execution.ExecFailed("lost", "the node died", AT));
        ExecAuditLog log = exited().auditLog();
        assertSerializedMatches(system, "exec-audit-log-v1", log);
        assertSerializedMatches(system, "exec-audited-v1", new Execution.ExecAudited(log));
        assertSerializedMatches(system, "exec-state-v1", exited());
    }

    @Test
    void theStatusAndTheMessages() {
        ExecStatus status = exited().status();
        assertSerializedMatches(system, "exec-status-v1", status);
        assertSerializedMatches(system, "exec-submit-v1", new Execution.Submit(REQUESTED, ALLOWED, ref()));
        assertSerializedMatches(system, "exec-await-decision-v1", new Execution.AwaitDecision(ref()));
        assertSerializedMatches(system, "exec-decide-v1", new Execution.Decide(true, "bob", "looks fine", ref()));
        assertSerializedMatches(system, "exec-process-start-v1", new Execution.ProcessStart("web1", 4242, AT));
        assertSerializedMatches(
                system, "exec-process-exit-v1", new Execution.ProcessExit(0, 0, true, Duration.ofSeconds(30), AT));
        assertSerializedMatches(system, "exec-run-failed-v1", new Execution.RunFailed("client_gone", "gone", AT));
        assertSerializedMatches(system, "exec-cancel-v1", new Execution.Cancel("alice", ref()));
        assertSerializedMatches(system, "exec-get-status-v1", new Execution.GetStatus(ref()));
        assertSerializedMatches(system, "exec-probe-v1", new Execution.Probe());
        assertSerializedMatches(
                system, "exec-probe-answer-v1", new Execution.ProbeAnswer(HostContext.RunState.RUNNING));
        assertSerializedMatches(system, "exec-audit-now-v1", new Execution.AuditNow());
        assertSerializedMatches(system, "exec-decision-authorized-v1", new Execution.Authorized(status, ALLOWED));
        assertSerializedMatches(system, "exec-decision-pending-v1", new Execution.PendingApproval(status));
        assertSerializedMatches(
                system, "exec-decision-refused-v1", new Execution.Refused(status, "denied", "rm * is denied"));
    }

    @Test
    void theOutputChunks() {
        assertSerializedMatches(system, "chunk-started-v1", new OutputChunk.Started("web1", 4242));
        assertSerializedMatches(system, "chunk-stdout-v1", new OutputChunk.Stdout(new byte[] {'h', 'i', '\n'}));
        assertSerializedMatches(system, "chunk-stderr-v1", new OutputChunk.Stderr(new byte[] {0, (byte) 0xff}));
        assertSerializedMatches(
                system, "chunk-exited-v1", new OutputChunk.Exited(137, 9, true, Duration.ofMillis(250)));
        assertSerializedMatches(system, "chunk-failed-v1", new OutputChunk.Failed("connection_lost", "gone"));
    }
}

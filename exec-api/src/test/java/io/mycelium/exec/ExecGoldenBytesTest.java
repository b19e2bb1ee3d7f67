package io.mycelium.exec;

import io.mycelium.exec.audit.ExecAuditLog;
import io.mycelium.exec.policy.PolicyDecision;
import io.mycelium.exec.policy.ResourceLimits;
import io.mycelium.host.HostContext;
import io.mycelium.journal.testkit.GoldenSystem;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

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

    @RegisterExtension
    static final GoldenSystem golden = new GoldenSystem();

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
        golden.assertMatches("exec-requested-v1", REQUESTED);
        golden.assertMatches("exec-authorized-v1", new Execution.ExecAuthorized(ALLOWED, "bob", AT));
        golden.assertMatches("exec-denied-v1", new Execution.ExecDenied("guarded", "rm * is denied", null, AT));
        golden.assertMatches("exec-pending-approval-v1", new Execution.ExecPendingApproval(ALLOWED, AT));
        golden.assertMatches("process-started-v1", new Execution.ProcessStarted("web1", 4242, AT));
        golden.assertMatches("process-exited-v1", new Execution.ProcessExited(3, 9, Duration.ofMillis(1500), AT));
        golden.assertMatches("exec-cancelled-v1", new Execution.ExecCancelled("alice", AT));
        golden.assertMatches("exec-timed-out-v1", new Execution.ExecTimedOut(Duration.ofSeconds(30), AT));
        golden.assertMatches("exec-failed-v1", new Execution.ExecFailed("lost", "the node died", AT));
        ExecAuditLog log = exited().auditLog();
        golden.assertMatches("exec-audit-log-v1", log);
        golden.assertMatches("exec-audited-v1", new Execution.ExecAudited(log));
        golden.assertMatches("exec-state-v1", exited());
    }

    @Test
    void theStatusAndTheMessages() {
        ExecStatus status = exited().status();
        golden.assertMatches("exec-status-v1", status);
        golden.assertMatches("exec-submit-v1", new Execution.Submit(REQUESTED, ALLOWED, golden.ref()));
        golden.assertMatches("exec-await-decision-v1", new Execution.AwaitDecision(golden.ref()));
        golden.assertMatches("exec-decide-v1", new Execution.Decide(true, "bob", "looks fine", golden.ref()));
        golden.assertMatches("exec-process-start-v1", new Execution.ProcessStart("web1", 4242, AT));
        golden.assertMatches("exec-process-exit-v1", new Execution.ProcessExit(0, 0, true, Duration.ofSeconds(30), AT));
        golden.assertMatches("exec-run-failed-v1", new Execution.RunFailed("client_gone", "gone", AT));
        golden.assertMatches("exec-cancel-v1", new Execution.Cancel("alice", golden.ref()));
        golden.assertMatches("exec-get-status-v1", new Execution.GetStatus(golden.ref()));
        golden.assertMatches("exec-probe-v1", new Execution.Probe());
        golden.assertMatches("exec-probe-answer-v1", new Execution.ProbeAnswer(HostContext.RunState.RUNNING));
        golden.assertMatches("exec-audit-now-v1", new Execution.AuditNow());
        golden.assertMatches("exec-decision-authorized-v1", new Execution.Authorized(status, ALLOWED));
        golden.assertMatches("exec-decision-pending-v1", new Execution.PendingApproval(status));
        golden.assertMatches("exec-decision-refused-v1", new Execution.Refused(status, "denied", "rm * is denied"));
    }

    @Test
    void theOutputChunks() {
        golden.assertMatches("chunk-started-v1", new OutputChunk.Started("web1", 4242));
        golden.assertMatches("chunk-stdout-v1", new OutputChunk.Stdout(new byte[] {'h', 'i', '\n'}));
        golden.assertMatches("chunk-stderr-v1", new OutputChunk.Stderr(new byte[] {0, (byte) 0xff}));
        golden.assertMatches("chunk-exited-v1", new OutputChunk.Exited(137, 9, true, Duration.ofMillis(250)));
        golden.assertMatches("chunk-failed-v1", new OutputChunk.Failed("connection_lost", "gone"));
    }
}

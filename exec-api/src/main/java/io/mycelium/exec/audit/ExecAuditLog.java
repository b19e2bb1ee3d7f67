package io.mycelium.exec.audit;

import io.mycelium.journal.KryoSerializable;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The audit record of one exec request, written once it reached its final state: as a fact in the journal (tag
 * {@code audit}) and as a JSON log line (logger {@code mycelium.audit}).
 *
 * @param id the execution id
 * @param agentId the host
 * @param requestedBy the principal that asked
 * @param command the command, secrets in arguments redacted
 * @param exitCode the exit status, when the process ran; null otherwise
 * @param startTime when the process started; null when it never did
 * @param duration how long it ran; null when it never did
 * @param clientIp where the request came from
 * @param authorized whether a policy (or an approver) allowed it
 * @param policyApplied the policy that decided
 * @param outcome the final state: exited, denied, cancelled, failed
 * @param reason why it was denied or failed; null otherwise
 * @param endTime when it reached its final state
 */
public record ExecAuditLog(
        String id,
        String agentId,
        String requestedBy,
        List<String> command,
        Integer exitCode,
        Instant startTime,
        Duration duration,
        String clientIp,
        boolean authorized,
        String policyApplied,
        String outcome,
        String reason,
        Instant endTime)
        implements KryoSerializable {}

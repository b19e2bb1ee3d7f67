package io.mycelium.exec;

import io.mycelium.journal.KryoSerializable;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What is known about one execution, built from its facts only: the answer of {@code GET /api/v1/exec/{id}}.
 *
 * @param id the execution id
 * @param agentId the host it runs on
 * @param state where it is in its life
 * @param command the command, secrets redacted
 * @param requestedBy the principal that asked
 * @param policy the policy that decided
 * @param reason why it was denied or failed; null otherwise
 * @param pid the process id on the host, once started; 0 before
 * @param exitCode the exit status once exited (128+N for signal N); null before
 * @param signal the signal the process was killed with, else 0
 * @param timedOut whether it was killed for running past its timeout
 * @param cancelled whether it was cancelled
 * @param cancelledBy who cancelled it; null when not cancelled
 * @param approvedBy who approved it, when it needed approval
 * @param requestTime when the request arrived
 * @param startTime when the process started; null before
 * @param endTime when it reached its final state; null before
 * @param duration the process's run time as measured on the host; null before it exited
 * @param droppedEnvironment names of environment variables the sanitiser dropped
 */
public record ExecStatus(
        String id,
        String agentId,
        State state,
        List<String> command,
        String requestedBy,
        String policy,
        String reason,
        long pid,
        Integer exitCode,
        int signal,
        boolean timedOut,
        boolean cancelled,
        String cancelledBy,
        String approvedBy,
        Instant requestTime,
        Instant startTime,
        Instant endTime,
        Duration duration,
        List<String> droppedEnvironment)
        implements KryoSerializable {

    /** Where an execution is in its life. */
    public enum State {
        /** Waiting for an approver. */
        PENDING_APPROVAL,
        /** Allowed; the process is being started. */
        AUTHORIZED,
        /** The process runs. */
        RUNNING,
        /** The process exited (also after a timeout or a cancel while running). */
        EXITED,
        /** A policy or an approver refused it. */
        DENIED,
        /** Cancelled before its process started. */
        CANCELLED,
        /** It could not start, or its outcome was lost with the node or connection that ran it. */
        FAILED;

        /** Whether nothing more will happen to it. */
        public boolean terminal() {
            return this == EXITED || this == DENIED || this == CANCELLED || this == FAILED;
        }
    }
}

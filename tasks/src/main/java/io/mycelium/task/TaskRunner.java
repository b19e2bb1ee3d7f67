package io.mycelium.task;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** Runs one attempt of a task on its agent; node-local, used by the {@link Task} entity. */
public interface TaskRunner {

    /**
     * One attempt to run.
     *
     * @param executionId the id of the execution that carries it
     * @param target the host
     * @param command program and arguments
     * @param principal who submitted the task (the exec policy applies to them)
     * @param principalKind how that principal was established
     * @param clientIp where the submission came from
     * @param timeout how long it may run
     */
    record Attempt(
            String executionId,
            String target,
            List<String> command,
            String principal,
            String principalKind,
            String clientIp,
            Duration timeout) {}

    /**
     * How an attempt ended.
     *
     * @param exitCode the process's exit code, or null when it did not run to an exit
     * @param stdout its stdout's tail
     * @param stderr its stderr's tail
     * @param code why it failed ({@code exit_code}, {@code timed_out}, {@code denied}, ...), null on success
     * @param message the failure in words
     * @param permanent whether another attempt cannot succeed (denied by policy, unknown host)
     */
    record Result(Integer exitCode, String stdout, String stderr, String code, String message, boolean permanent) {
        /** Whether the attempt succeeded. */
        public boolean succeeded() {
            return code == null;
        }
    }

    /**
     * Runs the attempt: calls {@code onAccepted} once its process started, completes with how it ended (never
     * exceptionally: a failure to run is a failed result).
     */
    CompletionStage<Result> run(Attempt attempt, Runnable onAccepted);

    /** Stops the attempt's execution, if it still runs (best effort). */
    void cancel(String executionId, String by);
}

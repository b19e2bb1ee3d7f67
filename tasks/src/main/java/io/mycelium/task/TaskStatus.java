package io.mycelium.task;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.mycelium.journal.KryoSerializable;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A task as its facts describe it: the answer of {@code GET /api/v1/tasks/{id}}.
 *
 * @param id the task id
 * @param state where it is
 * @param target the registered host it runs on, or null
 * @param capability the capability of the worker agents that run it, or null
 * @param command program and arguments
 * @param maxAttempts attempts per round (a redrive starts a new round)
 * @param attempt the number of the current or last attempt, counted over all rounds (0 before the first)
 * @param submittedBy the principal that submitted it
 * @param idempotencyKey the key it was submitted with, or null
 * @param submittedAt when it was recorded
 * @param deadline when the current round gives up
 * @param nextAttemptAt when a scheduled task's next attempt starts, else null
 * @param agent the agent (host) of the current or last attempt
 * @param executionId the execution of the current or last attempt ({@code GET /api/v1/exec/{id}})
 * @param exitCode the last attempt's exit code, or null
 * @param stdout the last attempt's stdout (its tail), or null
 * @param stderr the last attempt's stderr (its tail), or null
 * @param error why the last attempt failed, or why the task was dead-lettered; null otherwise
 * @param endTime when it reached a resting state, or null
 * @param history every fact in order
 */
public record TaskStatus(
        String id,
        TaskState state,
        String target,
        String capability,
        List<String> command,
        int maxAttempts,
        int attempt,
        String submittedBy,
        String idempotencyKey,
        Instant submittedAt,
        Instant deadline,
        Instant nextAttemptAt,
        String agent,
        String executionId,
        Integer exitCode,
        String stdout,
        String stderr,
        Error error,
        Instant endTime,
        List<HistoryEntry> history)
        implements KryoSerializable {

    /** The name of a fact as the history and telemetry call it: {@code submitted}, {@code dead_lettered}, ... */
    public static String fact(Task.Event event) {
        return switch (event) {
            case Task.TaskSubmitted e -> "submitted";
            case Task.TaskScheduled e -> "scheduled";
            case Task.TaskAssigned e -> "assigned";
            case Task.TaskAccepted e -> "accepted";
            case Task.TaskCompleted e -> "completed";
            case Task.TaskFailed e -> "failed";
            case Task.TaskDeadLettered e -> "dead_lettered";
            case Task.TaskCancelled e -> "cancelled";
            case Task.TaskRedriven e -> "redriven";
            case Task.TaskReleased e -> "released";
            case Task.TaskDuplicateCompletion e -> "duplicate_completion";
        };
    }

    /** What went wrong. */
    public record Error(String code, String message) implements KryoSerializable {}

    /**
     * One fact of the task's history; fields a fact does not have are left out of the JSON.
     *
     * @param fact submitted, scheduled, assigned, accepted, completed, failed, dead_lettered, cancelled, redriven,
     *     released, duplicate_completion
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record HistoryEntry(
            String fact,
            Instant at,
            Integer attempt,
            String agent,
            String executionId,
            Instant notBefore,
            Integer exitCode,
            String stdout,
            String stderr,
            String code,
            String message,
            String by,
            Duration delay)
            implements KryoSerializable {

        /** The entry of {@code fact}, every other field empty; the withers below fill what the fact carries. */
        static HistoryEntry of(String fact, Instant at, Integer attempt) {
            return new HistoryEntry(fact, at, attempt, null, null, null, null, null, null, null, null, null, null);
        }

        HistoryEntry withAgent(String agent, String executionId) {
            return new HistoryEntry(
                    fact,
                    at,
                    attempt,
                    agent,
                    executionId,
                    notBefore,
                    exitCode,
                    stdout,
                    stderr,
                    code,
                    message,
                    by,
                    delay);
        }

        HistoryEntry withSchedule(Instant notBefore, Duration delay) {
            return new HistoryEntry(
                    fact,
                    at,
                    attempt,
                    agent,
                    executionId,
                    notBefore,
                    exitCode,
                    stdout,
                    stderr,
                    code,
                    message,
                    by,
                    delay);
        }

        HistoryEntry withOutput(Integer exitCode, String stdout, String stderr) {
            return new HistoryEntry(
                    fact,
                    at,
                    attempt,
                    agent,
                    executionId,
                    notBefore,
                    exitCode,
                    stdout,
                    stderr,
                    code,
                    message,
                    by,
                    delay);
        }

        HistoryEntry withError(String code, String message) {
            return new HistoryEntry(
                    fact,
                    at,
                    attempt,
                    agent,
                    executionId,
                    notBefore,
                    exitCode,
                    stdout,
                    stderr,
                    code,
                    message,
                    by,
                    delay);
        }

        HistoryEntry withBy(String by) {
            return new HistoryEntry(
                    fact,
                    at,
                    attempt,
                    agent,
                    executionId,
                    notBefore,
                    exitCode,
                    stdout,
                    stderr,
                    code,
                    message,
                    by,
                    delay);
        }
    }
}

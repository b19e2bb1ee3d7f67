package io.mycelium.task;

import java.util.Locale;

/** Where a task is in its life. */
public enum TaskState {
    /** Recorded; not yet scheduled. */
    SUBMITTED,
    /** Waiting for its (next) attempt's time. */
    SCHEDULED,
    /** An attempt was handed to an agent (a host's context). */
    ASSIGNED,
    /** The agent accepted the attempt: its process runs. */
    ACCEPTED,
    /** An attempt succeeded. Final. */
    COMPLETED,
    /** An attempt failed; a retry or the dead-letter queue follows at once. */
    FAILED,
    /** No attempt succeeded within the attempts or the deadline: in the dead-letter queue until a redrive. */
    DEAD_LETTERED,
    /** Cancelled. Final. */
    CANCELLED;

    /** Whether nothing more happens to it by itself (a dead-lettered task may still be redriven). */
    public boolean resting() {
        return this == COMPLETED || this == DEAD_LETTERED || this == CANCELLED;
    }

    /** The state's name as the API writes it in parameters, e.g. {@code dead_lettered}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** A state by its name in any case; {@link IllegalArgumentException} for an unknown one. */
    public static TaskState parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown task state '" + name + "': use one of "
                    + java.util.Arrays.stream(values()).map(TaskState::wireName).toList());
        }
    }
}

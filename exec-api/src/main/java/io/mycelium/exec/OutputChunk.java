package io.mycelium.exec;

import io.mycelium.journal.KryoSerializable;
import java.time.Duration;

/**
 * The elements of an execution's output stream, as they cross the cluster (in a {@code SourceRef}) from the node
 * that owns the host's context to the node serving the client: a start, output chunks, then an exit or a failure.
 */
public sealed interface OutputChunk extends KryoSerializable {

    /** The process started. */
    record Started(String host, long pid) implements OutputChunk {}

    /** Bytes written to stdout. */
    record Stdout(byte[] bytes) implements OutputChunk {}

    /** Bytes written to stderr. */
    record Stderr(byte[] bytes) implements OutputChunk {}

    /** The process exited; always last when it ran. */
    record Exited(int exitCode, int signal, boolean timedOut, Duration duration) implements OutputChunk {}

    /**
     * The run failed: the process could not start or the connection to its agent was lost; always last.
     *
     * @param code a stable code ({@code process_start_failed}, {@code connection_lost}, ...)
     * @param message what happened, for a person
     */
    record Failed(String code, String message) implements OutputChunk {}
}

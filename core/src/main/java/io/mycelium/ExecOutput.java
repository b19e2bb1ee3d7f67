package io.mycelium;

import java.time.Duration;
import org.apache.pekko.util.ByteString;

/** The elements of {@link Context#procStream}: a start, output as it comes, and the exit. */
public sealed interface ExecOutput {
    /** The process started. */
    record Started(long pid) implements ExecOutput {}

    /** Bytes the process wrote to stdout. */
    record Stdout(ByteString bytes) implements ExecOutput {}

    /** Bytes the process wrote to stderr. */
    record Stderr(ByteString bytes) implements ExecOutput {}

    /**
     * The process ended; always the last element.
     *
     * @param exitCode the exit status; 128+N when killed by signal N
     * @param signal the signal the agent killed the process with, else 0
     * @param timedOut whether it was killed for running past its timeout
     * @param duration time from start to exit, measured on the agent
     */
    record Exited(int exitCode, int signal, boolean timedOut, Duration duration) implements ExecOutput {}
}

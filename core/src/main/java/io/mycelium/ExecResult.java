package io.mycelium;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The outcome of a process run with {@link Context#procExec}.
 *
 * @param pid the process id on the agent's host
 * @param exitCode the exit status; 128+N when killed by signal N
 * @param signal the signal the agent killed the process with (cancel), else 0
 * @param stdout everything the process wrote to stdout, up to the collection limit
 * @param stderr everything the process wrote to stderr, up to the collection limit
 * @param truncated whether output beyond the collection limit was dropped
 * @param duration time from start to exit, measured on the agent
 */
public record ExecResult(
        long pid, int exitCode, int signal, byte[] stdout, byte[] stderr, boolean truncated, Duration duration) {

    /** stdout decoded as UTF-8. */
    public String stdoutText() {
        return new String(stdout, StandardCharsets.UTF_8);
    }

    /** stderr decoded as UTF-8. */
    public String stderrText() {
        return new String(stderr, StandardCharsets.UTF_8);
    }

    /** Whether the process exited with status 0. */
    public boolean succeeded() {
        return exitCode == 0;
    }
}

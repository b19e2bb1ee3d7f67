package io.mycelium.exec;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The answer of a unary exec. Output is text when it is valid UTF-8 ({@code stdout}, {@code stderr}); otherwise the
 * text field is null and the bytes are in {@code stdoutBase64} / {@code stderrBase64}.
 *
 * @param id the execution id
 * @param agentId the host
 * @param exitCode the exit status (128+N when killed by signal N); null when the process never ran
 * @param signal the signal it was killed with, else 0
 * @param stdout stdout as text, or null when binary
 * @param stdoutBase64 stdout as base64 when binary, else null
 * @param stderr stderr as text, or null when binary
 * @param stderrBase64 stderr as base64 when binary, else null
 * @param outputTruncated whether output beyond the response's limit was dropped (the tail is kept)
 * @param startTime when the process started
 * @param endTime when it ended
 * @param duration its run time, measured on the host
 * @param timedOut whether it was killed at its timeout
 * @param cancelled whether it was cancelled
 * @param error what went wrong when it did not run to an exit: {@code {code, message}}; null otherwise
 */
public record ExecResponse(
        String id,
        String agentId,
        Integer exitCode,
        int signal,
        String stdout,
        String stdoutBase64,
        String stderr,
        String stderrBase64,
        boolean outputTruncated,
        Instant startTime,
        Instant endTime,
        Duration duration,
        boolean timedOut,
        boolean cancelled,
        Map<String, String> error) {}

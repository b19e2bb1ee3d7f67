package io.mycelium;

import java.time.Duration;
import java.util.Objects;

/**
 * One host's outcome in a fan-out ({@link Context#fanOut}, {@link Mycelium#fanOut}): what the operation returned or
 * why the host failed, tagged with the host.
 *
 * <p>A host failed when it could not be reached or its agent not started (the error is the {@link MyceliumException}
 * of the connection: unreachable, authentication, host key, bootstrap), when the operation failed or threw, or when
 * the operation's result is a process that exited non-zero or timed out (an {@link ExecResult} or an {@link
 * ExecOutput.Exited}); the value is then kept too.
 *
 * @param host the host's session name, {@code user@addr:port}
 * @param value what the operation returned, or null when it did not complete
 * @param error why the connection or the operation failed, or null
 * @param failure why the host failed, in a few words for a summary line, or null when it succeeded
 * @param elapsed from the start of the host's connection to the end of its operation
 * @param <T> the operation's result type
 */
public record HostResult<T>(String host, T value, Throwable error, String failure, Duration elapsed) {
    /** Validates. */
    public HostResult {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(elapsed, "elapsed");
        if (error != null && failure == null) {
            throw new IllegalArgumentException("a host with an error needs a failure reason");
        }
    }

    /** Whether the host succeeded. */
    public boolean ok() {
        return failure == null;
    }

    /** The result of {@code host} whose operation completed with {@code value} (failed if {@code value} says so). */
    static <T> HostResult<T> completed(String host, T value, Duration elapsed) {
        return new HostResult<>(host, value, null, failureOf(value), elapsed);
    }

    /** The result of {@code host} whose connection or operation failed with {@code error}. */
    static <T> HostResult<T> failed(String host, Throwable error, Duration elapsed) {
        return new HostResult<>(host, null, error, reason(error), elapsed);
    }

    private static String failureOf(Object value) {
        if (value instanceof ExecResult r && r.exitCode() != 0) {
            return "exit " + r.exitCode();
        }
        if (value instanceof ExecOutput.Exited x) {
            if (x.timedOut()) {
                return "timed out";
            }
            if (x.exitCode() != 0) {
                return "exit " + x.exitCode();
            }
        }
        return null;
    }

    /** The error's first line, without the {@code [context]} prefix: the host is named beside it already. */
    private static String reason(Throwable error) {
        String message = error.getMessage() == null ? error.toString() : error.getMessage();
        if (error instanceof MyceliumException m
                && m.context() != null
                && message.startsWith("[" + m.context() + "] ")) {
            message = message.substring(m.context().length() + 3);
        }
        String first = message.strip().lines().findFirst().orElse("");
        return first.isEmpty() ? error.getClass().getSimpleName() : first;
    }
}

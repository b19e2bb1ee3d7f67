package io.mycelium;

import io.mycelium.wire.ErrorCode;
import java.util.Optional;

/**
 * A {@link Context#callJson} call that failed in the function or in the function worker on the host. {@link
 * #failure()} says how. When the function threw ({@link Failure#THREW}), {@link #remoteClass()}, {@link
 * #remoteMessage()} and {@link #remoteStackTrace()} describe its exception, and the cause chain holds it and its causes
 * as {@link RemoteCauseException}s with their remote stack traces, so a logged stack trace shows where it failed on the
 * host. Failures of the connection or the agent are the other {@link MyceliumException}s.
 */
public final class FunctionCallException extends MyceliumException {
    /** How the call failed. */
    public enum Failure {
        /** No function of that name is registered on this controller; nothing was sent to the host. */
        NOT_REGISTERED,
        /** The function threw an exception on the host. */
        THREW,
        /** The worker could not load the function's class (missing dependency, no public no-argument constructor). */
        NOT_LOADED,
        /** The host cannot run the function worker (no Java found, nowhere to put the jars). */
        RUNTIME_UNAVAILABLE,
        /** The worker process ended or broke its protocol while the call ran. */
        WORKER_FAILED
    }

    private final Failure failure;
    private final String remoteClass;
    private final String remoteMessage;
    private final StackTraceElement[] remoteStack;

    FunctionCallException(Failure failure, String context, String message) {
        this(failure, context, message, null, null, new StackTraceElement[0], null);
    }

    FunctionCallException(
            Failure failure,
            String context,
            String message,
            String remoteClass,
            String remoteMessage,
            StackTraceElement[] remoteStack,
            Throwable cause) {
        super(ErrorCode.FUNCTION_FAILED, context, message, cause);
        this.failure = failure;
        this.remoteClass = remoteClass;
        this.remoteMessage = remoteMessage;
        this.remoteStack = remoteStack.clone();
    }

    /** How the call failed. */
    public Failure failure() {
        return failure;
    }

    /** For {@link Failure#THREW}: the class name of the function's exception; else empty. */
    public Optional<String> remoteClass() {
        return Optional.ofNullable(remoteClass);
    }

    /** For {@link Failure#THREW}: the message of the function's exception, when it had one; else empty. */
    public Optional<String> remoteMessage() {
        return Optional.ofNullable(remoteMessage);
    }

    /** For {@link Failure#THREW}: the stack trace of the function's exception on the host; else empty. */
    public StackTraceElement[] remoteStackTrace() {
        return remoteStack.clone();
    }
}

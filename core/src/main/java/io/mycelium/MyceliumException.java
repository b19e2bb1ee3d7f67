package io.mycelium;

import io.mycelium.wire.ErrorCode;

/**
 * Every failure Mycelium reports. Each subclass stands for one thing a caller may want to react to; {@link #code()} is
 * stable across versions and {@link #context()} names the context it happened in. The cause chain is kept, including
 * the remote one (as {@link RemoteCauseException}s).
 */
public abstract sealed class MyceliumException extends RuntimeException
        permits ConnectionLostException,
                ProtocolErrorException,
                ProcessStartException,
                RemoteFileNotFoundException,
                PermissionDeniedException,
                OperationTimeoutException,
                OperationCancelledException,
                RemoteOperationException,
                HostUnreachableException,
                HostKeyRejectedException,
                AuthenticationFailedException,
                BootstrapException,
                WasmCallException,
                FunctionCallException,
                BecomeException {
    private final ErrorCode code;
    private final String context;

    MyceliumException(ErrorCode code, String context, String message, Throwable cause) {
        super(context == null ? message : "[" + context + "] " + message, cause);
        this.code = code;
        this.context = context;
    }

    /**
     * The typed exception for {@code code}, for an error that crossed a process or node boundary as a code and a
     * message (a cluster node reporting a failure of the host connection it owns, for example).
     *
     * @param context the context's name, or null
     */
    public static MyceliumException of(ErrorCode code, String context, String message) {
        return Errors.of(code, context, message, null);
    }

    /** The stable error code. */
    public ErrorCode code() {
        return code;
    }

    /** The name of the context the error happened in, or null when it happened before one existed. */
    public String context() {
        return context;
    }
}

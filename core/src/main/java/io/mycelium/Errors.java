package io.mycelium;

import io.mycelium.wire.ErrorCode;
import io.mycelium.wire.Message;
import io.mycelium.wire.OperationFailedException;

/** Turns error codes into the typed exceptions of the public API. */
final class Errors {
    private Errors() {}

    static MyceliumException of(ErrorCode code, String context, String message, Throwable cause) {
        return switch (code) {
            case CONNECTION_LOST -> new ConnectionLostException(code, context, message, cause);
            case PROTOCOL_ERROR, PROTOCOL_MISMATCH -> new ProtocolErrorException(code, context, message, cause);
            case PROCESS_START_FAILED -> new ProcessStartException(code, context, message, cause);
            case FILE_NOT_FOUND -> new RemoteFileNotFoundException(code, context, message, cause);
            case PERMISSION_DENIED -> new PermissionDeniedException(code, context, message, cause);
            case TIMEOUT -> new OperationTimeoutException(code, context, message, cause);
            case CANCELLED -> new OperationCancelledException(code, context, message, cause);
            case IO_ERROR, INTEGRITY_ERROR, INVALID_REQUEST, AGENT_BUSY, INTERNAL ->
                new RemoteOperationException(code, context, message, cause);
            case UNKNOWN_HOST, CONNECTION_REFUSED -> new HostUnreachableException(code, context, message, cause);
            case HOST_KEY_REJECTED -> new HostKeyRejectedException(code, context, message, cause);
            case AUTHENTICATION_FAILED -> new AuthenticationFailedException(code, context, message, cause);
            case BOOTSTRAP_FAILED, BOOTSTRAP_TIMEOUT -> new BootstrapException(code, context, message, cause);
            case WASM_FAILED ->
                new WasmCallException(
                        WasmCallException.Failure.WORKER_FAILED, context, message, "", java.util.List.of());
            case FUNCTION_FAILED ->
                new FunctionCallException(FunctionCallException.Failure.WORKER_FAILED, context, message);
            case BECOME_FAILED -> new BecomeException(code, context, message, cause);
        };
    }

    /** The exception for a failure the agent reported, with its remote cause chain. */
    static MyceliumException fromRemote(String context, Message.Failure failure) {
        Throwable chain = null;
        Message.RemoteCause[] causes = failure.causes() == null ? new Message.RemoteCause[0] : failure.causes();
        for (int i = causes.length - 1; i >= 0; i--) {
            chain = new RemoteCauseException(causes[i].type(), causes[i].message(), chain);
        }
        ErrorCode code = failure.code() == null ? ErrorCode.INTERNAL : failure.code();
        return of(code, context, failure.message(), chain);
    }

    /** The exception for a failure on the controller's side of an operation. */
    static MyceliumException local(String context, Throwable error) {
        if (error instanceof MyceliumException m) {
            return m;
        }
        if (error instanceof OperationFailedException o) {
            return of(o.code(), context, o.getMessage(), o);
        }
        return of(ErrorCode.INTERNAL, context, String.valueOf(error), error);
    }
}

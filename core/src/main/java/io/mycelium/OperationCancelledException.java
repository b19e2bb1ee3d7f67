package io.mycelium;

import io.mycelium.wire.ErrorCode;

/** An operation was cancelled by its caller. */
public final class OperationCancelledException extends MyceliumException {
    OperationCancelledException(ErrorCode code, String context, String message, Throwable cause) {
        super(code, context, message, cause);
    }
}

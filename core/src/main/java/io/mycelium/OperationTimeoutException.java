package io.mycelium;

import io.mycelium.wire.ErrorCode;

/** An operation ran past its timeout; a timed-out process tree was killed. */
public final class OperationTimeoutException extends MyceliumException {
    OperationTimeoutException(ErrorCode code, String context, String message, Throwable cause) {
        super(code, context, message, cause);
    }
}

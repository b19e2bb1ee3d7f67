package io.mycelium;

import io.mycelium.wire.ErrorCode;

/** A process could not be started: no such program, not executable, or no such working directory. */
public final class ProcessStartException extends MyceliumException {
    ProcessStartException(ErrorCode code, String context, String message, Throwable cause) {
        super(code, context, message, cause);
    }
}

package io.mycelium;

import io.mycelium.wire.ErrorCode;

/** The host could not be reached: its name does not resolve, or nothing answers on its SSH port. */
public final class HostUnreachableException extends MyceliumException {
    HostUnreachableException(ErrorCode code, String context, String message, Throwable cause) {
        super(code, context, message, cause);
    }
}

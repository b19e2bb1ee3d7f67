package io.mycelium;

import io.mycelium.wire.ErrorCode;

/** The connection to a context's agent closed or broke; operations that were running on it did not finish. The next operation reconnects. */
public final class ConnectionLostException extends MyceliumException {
    ConnectionLostException(ErrorCode code, String context, String message, Throwable cause) {
        super(code, context, message, cause);
    }
}

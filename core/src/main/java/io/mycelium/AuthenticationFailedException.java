package io.mycelium;

import io.mycelium.wire.ErrorCode;

/** The host refused every credential offered (key, agent). */
public final class AuthenticationFailedException extends MyceliumException {
    AuthenticationFailedException(ErrorCode code, String context, String message, Throwable cause) {
        super(code, context, message, cause);
    }
}

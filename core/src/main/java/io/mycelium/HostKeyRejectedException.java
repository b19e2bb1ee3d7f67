package io.mycelium;

import io.mycelium.wire.ErrorCode;

/** The host's key is not in known_hosts, or differs from the key recorded there; the connection was refused before logging in. */
public final class HostKeyRejectedException extends MyceliumException {
    HostKeyRejectedException(ErrorCode code, String context, String message, Throwable cause) {
        super(code, context, message, cause);
    }
}

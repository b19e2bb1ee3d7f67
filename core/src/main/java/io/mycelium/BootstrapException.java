package io.mycelium;

import io.mycelium.wire.ErrorCode;

/** The agent could not be started on the host: a missing tool, no place to load it, a refused integrity check, or a bootstrap that took too long. */
public final class BootstrapException extends MyceliumException {
    BootstrapException(ErrorCode code, String context, String message, Throwable cause) {
        super(code, context, message, cause);
    }
}

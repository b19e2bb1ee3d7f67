package io.mycelium;

import io.mycelium.wire.ErrorCode;

/** The operating system refused access to a file or directory. */
public final class PermissionDeniedException extends MyceliumException {
    PermissionDeniedException(ErrorCode code, String context, String message, Throwable cause) {
        super(code, context, message, cause);
    }
}

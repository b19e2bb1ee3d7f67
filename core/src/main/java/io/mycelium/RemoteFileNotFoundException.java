package io.mycelium;

import io.mycelium.wire.ErrorCode;

/** A file or directory named by an operation does not exist. */
public final class RemoteFileNotFoundException extends MyceliumException {
    RemoteFileNotFoundException(ErrorCode code, String context, String message, Throwable cause) {
        super(code, context, message, cause);
    }
}

package io.mycelium;

import io.mycelium.wire.ErrorCode;

/**
 * Any other failure of an operation: an I/O error, a checksum mismatch, a request the agent refused as invalid, an
 * agent out of worker threads, or an internal error. {@link #code()} tells them apart.
 */
public final class RemoteOperationException extends MyceliumException {
    RemoteOperationException(ErrorCode code, String context, String message, Throwable cause) {
        super(code, context, message, cause);
    }
}

package io.mycelium;

import io.mycelium.wire.ErrorCode;

/** The agent and the controller could not understand each other: malformed frames, or mismatched protocol versions. The connection was closed. */
public final class ProtocolErrorException extends MyceliumException {
    ProtocolErrorException(ErrorCode code, String context, String message, Throwable cause) {
        super(code, context, message, cause);
    }
}

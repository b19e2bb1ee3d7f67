package io.mycelium;

import io.mycelium.wire.ErrorCode;

/**
 * Privilege escalation ({@link Become}: sudo, su, doas) was refused: the password was wrong, none was given where the
 * tool asked for one, the user may not become the target, or the tool neither asked nor started the agent in time. The
 * message quotes what the tool said (never the password).
 */
public final class BecomeException extends MyceliumException {
    BecomeException(ErrorCode code, String context, String message, Throwable cause) {
        super(code, context, message, cause);
    }
}

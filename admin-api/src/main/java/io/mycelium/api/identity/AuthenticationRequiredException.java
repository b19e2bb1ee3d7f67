package io.mycelium.api.identity;

import java.io.Serial;

/**
 * A request carries no acceptable credentials. The message says what was wrong and how to authenticate; it never
 * contains a token.
 */
public final class AuthenticationRequiredException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    public AuthenticationRequiredException(String message) {
        super(message);
    }

    public AuthenticationRequiredException(String message, Throwable cause) {
        super(message, cause);
    }
}

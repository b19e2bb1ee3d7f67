package io.mycelium.wasm.capability;

import java.util.Objects;

/**
 * Thrown by a provider to refuse or fail one operation: the guest gets {@link #status()} as the function's result
 * and the Wasm call goes on. The message is for the host's logs; the guest sees only the status.
 */
public final class ProviderException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final AbiStatus status;

    public ProviderException(AbiStatus status, String message) {
        this(status, message, null);
    }

    public ProviderException(AbiStatus status, String message, Throwable cause) {
        super(message, cause);
        this.status = Objects.requireNonNull(status, "status");
    }

    /** What the guest gets. */
    public AbiStatus status() {
        return status;
    }
}

package io.mycelium.wasm;

/**
 * The call ran into one of its {@link WasmLimits} and was stopped. The runtime and the module stay usable; a kept
 * {@link WasmInstance} that hits a limit is closed, as its state can no longer be trusted.
 */
public final class LimitExceededException extends WasmException {
    private static final long serialVersionUID = 1L;

    private final Limit limit;
    private final long allowed;
    private final long attempted;

    LimitExceededException(Limit limit, long allowed, long attempted, String message, String stderr) {
        super(WasmErrorCode.LIMIT_EXCEEDED, message, stderr, null);
        this.limit = limit;
        this.allowed = allowed;
        this.attempted = attempted;
    }

    /** Which limit. */
    public Limit limit() {
        return limit;
    }

    /** The limit's value: milliseconds for {@link Limit#TIME}, bytes for the others. */
    public long allowed() {
        return allowed;
    }

    /** How far the module got or asked to go, in the same unit; -1 when unknown. */
    public long attempted() {
        return attempted;
    }

    /** The limits of a call. */
    public enum Limit {
        /** Wall-clock time of the call. */
        TIME,
        /** Size of the module's linear memory. */
        MEMORY,
        /** Bytes written on stdout. */
        OUTPUT
    }
}

package io.mycelium.wasm;

/**
 * Every failure of loading or calling a module. Each subclass is one thing a caller may react to; {@link #code()} is
 * stable. Failures of a call keep what the module wrote on stderr (bounded) for the diagnosis.
 */
public abstract sealed class WasmException extends RuntimeException
        permits InvalidModuleException,
                MissingExportException,
                WasmTrapException,
                InputNotJsonException,
                OutputNotJsonException,
                LimitExceededException,
                CapabilityDeniedException,
                ModuleExitedException {
    private static final long serialVersionUID = 1L;

    private final WasmErrorCode code;
    private final String stderr;

    WasmException(WasmErrorCode code, String message, String stderr, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.stderr = stderr == null ? "" : stderr;
    }

    /** The stable error code. */
    public WasmErrorCode code() {
        return code;
    }

    /** What the module wrote on stderr during the call (the first 64 KiB), empty when nothing or not a call. */
    public String stderr() {
        return stderr;
    }
}

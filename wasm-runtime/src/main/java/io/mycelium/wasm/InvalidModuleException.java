package io.mycelium.wasm;

/** The bytes are not a module this host runs: malformed, rejected by the validator, or importing what is not provided. */
public final class InvalidModuleException extends WasmException {
    private static final long serialVersionUID = 1L;

    InvalidModuleException(String message, Throwable cause) {
        super(WasmErrorCode.INVALID_MODULE, message, "", cause);
    }
}

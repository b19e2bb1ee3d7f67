package io.mycelium.wasm;

/** The payload for a call is not one JSON value; the module was not run. */
public final class InputNotJsonException extends WasmException {
    private static final long serialVersionUID = 1L;

    InputNotJsonException(String message, Throwable cause) {
        super(WasmErrorCode.INPUT_NOT_JSON, message, "", cause);
    }
}

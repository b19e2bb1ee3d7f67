package io.mycelium.wasm;

/** The module finished, but its stdout is not one JSON value. {@link #output()} has the start of what it wrote. */
public final class OutputNotJsonException extends WasmException {
    private static final long serialVersionUID = 1L;

    private final String output;

    OutputNotJsonException(String message, String output, String stderr, Throwable cause) {
        super(WasmErrorCode.OUTPUT_NOT_JSON, message, stderr, cause);
        this.output = output;
    }

    /** The first 1 KiB of the module's stdout (as UTF-8, malformed bytes replaced). */
    public String output() {
        return output;
    }
}

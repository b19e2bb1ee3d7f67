package io.mycelium.wasm;

import java.util.List;

/** The module trapped: its execution stopped on a Wasm runtime error. The message is the engine's reason. */
public final class WasmTrapException extends WasmException {
    private static final long serialVersionUID = 1L;

    private final String reason;
    private final List<String> wasmStack;

    WasmTrapException(String module, String reason, List<String> wasmStack, String stderr, Throwable cause) {
        super(
                WasmErrorCode.TRAP,
                module + " trapped: " + reason + (wasmStack.isEmpty() ? "" : " (at " + wasmStack.get(0) + ")"),
                stderr,
                cause);
        this.reason = reason;
        this.wasmStack = List.copyOf(wasmStack);
    }

    /** The engine's reason, e.g. {@code unreachable} or {@code Out of bounds memory access}. */
    public String reason() {
        return reason;
    }

    /**
     * The Wasm frames, innermost first (at most 64, then {@code ... N more}): the function's name from the module's
     * name section, with {@code (file:line)} when debug information gave one.
     */
    public List<String> wasmStack() {
        return wasmStack;
    }
}

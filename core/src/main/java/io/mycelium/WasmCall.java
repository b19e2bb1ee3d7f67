package io.mycelium;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Objects;

/**
 * One call of a WebAssembly module on a context's host ({@link Context#callWasm(WasmCall)}): a WASI preview1 module,
 * the JSON value it reads on stdin, and the limits it runs within. The module gets no files, network, environment or
 * capabilities there; its stdout must be one JSON value. Immutable; start from {@link #of(byte[], JsonNode)}.
 *
 * @param module the module's bytes
 * @param input the JSON value the module reads on stdin
 * @param export a reactor module's function to call, or null for a command module's {@code _start}
 * @param timeout wall-clock limit of the call, stopping even a tight loop
 * @param maxMemoryBytes the most linear memory the module may have
 * @param maxOutputBytes the most the module may write on stdout
 */
public record WasmCall(
        byte[] module, JsonNode input, String export, Duration timeout, long maxMemoryBytes, long maxOutputBytes) {
    /** The limits of {@code mycelium wasm run}: 10 s, 64 MiB of memory, 4 MiB of output. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    public static final long DEFAULT_MAX_MEMORY_BYTES = 64L << 20;
    public static final long DEFAULT_MAX_OUTPUT_BYTES = 4L << 20;

    public WasmCall {
        Objects.requireNonNull(module, "module");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        if (maxMemoryBytes < 65_536 || maxOutputBytes < 1) {
            throw new IllegalArgumentException("maxMemoryBytes must be at least one page (64 KiB) and maxOutputBytes"
                    + " positive: " + maxMemoryBytes + ", " + maxOutputBytes);
        }
    }

    /** A call of {@code module}'s {@code _start} with {@code input} and the default limits. */
    public static WasmCall of(byte[] module, JsonNode input) {
        return new WasmCall(module, input, null, DEFAULT_TIMEOUT, DEFAULT_MAX_MEMORY_BYTES, DEFAULT_MAX_OUTPUT_BYTES);
    }

    /** Calls the reactor function {@code name} instead of {@code _start}. */
    public WasmCall withExport(String name) {
        return new WasmCall(module, input, name, timeout, maxMemoryBytes, maxOutputBytes);
    }

    public WasmCall withTimeout(Duration limit) {
        return new WasmCall(module, input, export, limit, maxMemoryBytes, maxOutputBytes);
    }

    public WasmCall withMaxMemoryBytes(long bytes) {
        return new WasmCall(module, input, export, timeout, bytes, maxOutputBytes);
    }

    public WasmCall withMaxOutputBytes(long bytes) {
        return new WasmCall(module, input, export, timeout, maxMemoryBytes, bytes);
    }
}

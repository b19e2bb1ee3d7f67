package io.mycelium;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Objects;

/**
 * One call of a WebAssembly module on a context's host ({@link Context#callWasm(WasmCall)}): a WASI preview1 module,
 * the JSON value it reads on stdin, and the limits it runs within. The module gets no files, network, environment or
 * capabilities there; its stdout must be one JSON value. Immutable; start from {@link #of(byte[], JsonNode)}, or
 * from {@link #ofDigest(String, JsonNode)} for a module already sent through the same context.
 *
 * @param module the module's bytes, or null when {@code sha256} names a module sent before
 * @param sha256 the lower-case hex sha256 of the module; null to have it computed from {@code module} (the worker
 *     refuses bytes that do not match it)
 * @param input the JSON value the module reads on stdin
 * @param export a reactor module's function to call, or null for a command module's {@code _start}
 * @param timeout wall-clock limit of the call, stopping even a tight loop
 * @param maxMemoryBytes the most linear memory the module may have
 * @param maxOutputBytes the most the module may write on stdout
 */
public record WasmCall(
        byte[] module,
        String sha256,
        JsonNode input,
        String export,
        Duration timeout,
        long maxMemoryBytes,
        long maxOutputBytes) {
    /** The limits of {@code mycelium wasm run}: 10 s, 64 MiB of memory, 4 MiB of output. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    public static final long DEFAULT_MAX_MEMORY_BYTES = 64L << 20;
    public static final long DEFAULT_MAX_OUTPUT_BYTES = 4L << 20;

    private static final java.util.regex.Pattern SHA256 = java.util.regex.Pattern.compile("[0-9a-f]{64}");

    public WasmCall {
        if (module != null && sha256 == null) {
            sha256 = WasmBundle.sha256Hex(module);
        } else if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException(
                    "a call needs the module's bytes or its sha256 (64 lower-case hex" + " digits), got: " + sha256);
        }
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
        return new WasmCall(
                module.clone(), null, input, null, DEFAULT_TIMEOUT, DEFAULT_MAX_MEMORY_BYTES, DEFAULT_MAX_OUTPUT_BYTES);
    }

    /**
     * A call of the module with this sha256, which an earlier call through the same context sent (the context keeps
     * the last {@value WasmWorkerActor#KEPT_MODULES} modules it sent); otherwise the call fails with {@link
     * WasmCallException.Failure#INVALID_MODULE}.
     */
    public static WasmCall ofDigest(String sha256, JsonNode input) {
        return new WasmCall(
                null, sha256, input, null, DEFAULT_TIMEOUT, DEFAULT_MAX_MEMORY_BYTES, DEFAULT_MAX_OUTPUT_BYTES);
    }

    /** Calls the reactor function {@code name} instead of {@code _start}. */
    public WasmCall withExport(String name) {
        return new WasmCall(module, sha256, input, name, timeout, maxMemoryBytes, maxOutputBytes);
    }

    public WasmCall withTimeout(Duration limit) {
        return new WasmCall(module, sha256, input, export, limit, maxMemoryBytes, maxOutputBytes);
    }

    public WasmCall withMaxMemoryBytes(long bytes) {
        return new WasmCall(module, sha256, input, export, timeout, bytes, maxOutputBytes);
    }

    public WasmCall withMaxOutputBytes(long bytes) {
        return new WasmCall(module, sha256, input, export, timeout, maxMemoryBytes, bytes);
    }
}

package io.mycelium;

import io.mycelium.wire.ErrorCode;
import java.util.List;
import java.util.Optional;

/**
 * A Wasm call that failed in the module or in the runtime on the host ({@link Context#callWasm(WasmCall)}). {@link
 * #failure()} says how; failures of the connection or the agent are the other {@link MyceliumException}s.
 */
public final class WasmCallException extends MyceliumException {
    /**
     * How the call failed. The first eight are the wasm-runtime's {@code WasmErrorCode}s under the same names (a test
     * in cluster-node, which sees both modules, keeps them equal); core does not depend on that module, which carries
     * GraalVM.
     */
    public enum Failure {
        INVALID_MODULE,
        MISSING_EXPORT,
        TRAP,
        INPUT_NOT_JSON,
        OUTPUT_NOT_JSON,
        LIMIT_EXCEEDED,
        CAPABILITY_DENIED,
        EXITED,
        /** The host cannot run the Wasm runtime (no suitable Java, nowhere to put it), or the controller has none. */
        RUNTIME_UNAVAILABLE,
        /** The worker process on the host ended or broke its protocol while calls were running. */
        WORKER_FAILED
    }

    private final Failure failure;
    private final String stderr;
    private final List<String> wasmStack;
    private final String limit;
    private final int exitCode;

    WasmCallException(Failure failure, String context, String message, String stderr, List<String> wasmStack) {
        this(failure, context, message, stderr, wasmStack, null, 0);
    }

    WasmCallException(
            Failure failure,
            String context,
            String message,
            String stderr,
            List<String> wasmStack,
            String limit,
            int exitCode) {
        super(ErrorCode.WASM_FAILED, context, message, null);
        this.failure = failure;
        this.stderr = stderr == null ? "" : stderr;
        this.wasmStack = List.copyOf(wasmStack);
        this.limit = limit;
        this.exitCode = exitCode;
    }

    /** For {@link Failure#LIMIT_EXCEEDED}: which limit, {@code TIME}, {@code MEMORY} or {@code OUTPUT}; else empty. */
    public Optional<String> limit() {
        return Optional.ofNullable(limit);
    }

    /** For {@link Failure#EXITED}: the module's exit status; else 0. */
    public int exitCode() {
        return exitCode;
    }

    /** How the call failed. */
    public Failure failure() {
        return failure;
    }

    /** What the module wrote on stderr (bounded), or the worker's last lines when it failed; empty when none. */
    public String stderr() {
        return stderr;
    }

    /** The Wasm stack of a {@link Failure#TRAP}, innermost first; empty otherwise. */
    public List<String> wasmStack() {
        return wasmStack;
    }
}

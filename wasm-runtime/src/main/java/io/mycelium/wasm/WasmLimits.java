package io.mycelium.wasm;

import java.time.Duration;
import java.util.Objects;

/**
 * The limits of one call (or, for a kept {@link WasmInstance}, of each of its calls). Exceeding one stops the call
 * with a {@link LimitExceededException} naming it. Immutable; each {@code with...} method returns a copy.
 *
 * @param timeout wall-clock time of a call, instantiation included for one-shot calls; stops even a loop without
 *     calls
 * @param maxMemoryBytes the most linear memory the module may have, rounded down to whole 64 KiB pages; enforced
 *     inside the module (its declared maximum is lowered and {@code memory.grow} checked), so it holds exactly
 * @param maxOutputBytes the most bytes the module may write on stdout in one call
 */
public record WasmLimits(Duration timeout, long maxMemoryBytes, long maxOutputBytes) {
    /** 10 seconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** 64 MiB. */
    public static final long DEFAULT_MAX_MEMORY_BYTES = 64L << 20;
    /** 4 MiB. */
    public static final long DEFAULT_MAX_OUTPUT_BYTES = 4L << 20;
    /** The largest memory a 32-bit module can address: 4 GiB. */
    public static final long MAX_MEMORY_BYTES = 4L << 30;

    private static final long PAGE = 65_536;

    public WasmLimits {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        if (maxMemoryBytes < PAGE || maxMemoryBytes > MAX_MEMORY_BYTES) {
            throw new IllegalArgumentException(
                    "maxMemoryBytes must be between 64 KiB (one page) and 4 GiB: " + maxMemoryBytes);
        }
        if (maxOutputBytes < 0 || maxOutputBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("maxOutputBytes must be between 0 and 2 GiB: " + maxOutputBytes);
        }
    }

    /** 10 s, 64 MiB of memory, 4 MiB of output. */
    public static WasmLimits defaults() {
        return new WasmLimits(DEFAULT_TIMEOUT, DEFAULT_MAX_MEMORY_BYTES, DEFAULT_MAX_OUTPUT_BYTES);
    }

    public WasmLimits withTimeout(Duration timeout) {
        return new WasmLimits(timeout, maxMemoryBytes, maxOutputBytes);
    }

    public WasmLimits withMaxMemoryBytes(long maxMemoryBytes) {
        return new WasmLimits(timeout, maxMemoryBytes, maxOutputBytes);
    }

    public WasmLimits withMaxOutputBytes(long maxOutputBytes) {
        return new WasmLimits(timeout, maxMemoryBytes, maxOutputBytes);
    }

    /** The memory limit in whole pages of 64 KiB. */
    public long maxMemoryPages() {
        return maxMemoryBytes / PAGE;
    }
}

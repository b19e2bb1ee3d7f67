package io.mycelium.wasm;

/**
 * Stable codes of {@link WasmException}s, one per thing a caller may react to. Part of the public API and, once calls
 * travel to agents, of the protocol: add new ones at the end, never rename or reuse one.
 */
public enum WasmErrorCode {
    /** The bytes are not a module this host runs (malformed, invalid, or importing what the host does not provide). */
    INVALID_MODULE,
    /** The module has no callable export of that name (or of the entry point's type). */
    MISSING_EXPORT,
    /** The module trapped (unreachable, out-of-bounds access, division by zero, stack exhausted, ...). */
    TRAP,
    /** The payload given to the call is not JSON. */
    INPUT_NOT_JSON,
    /** The module finished but what it wrote on stdout is not one JSON value. */
    OUTPUT_NOT_JSON,
    /** The call ran into one of its limits: time, memory or output. */
    LIMIT_EXCEEDED,
    /** The module called a capability it was not granted. */
    CAPABILITY_DENIED,
    /** The module exited with a non-zero status (proc_exit, or a non-zero i32 returned by a reactor export). */
    EXITED
}

package io.mycelium.wire;

/**
 * Stable error codes carried by {@link Message.Failure}. Codes are part of the protocol and the public API: add new
 * ones at the end, never rename or reuse one.
 */
public enum ErrorCode {
    /** The connection to the agent closed or broke. */
    CONNECTION_LOST,
    /** A peer sent bytes that do not follow the protocol. */
    PROTOCOL_ERROR,
    /** The two sides speak different protocol versions or message registries. */
    PROTOCOL_MISMATCH,
    /** The process could not be started (no such executable, not executable, bad working directory). */
    PROCESS_START_FAILED,
    /** A file or directory named by the request does not exist. */
    FILE_NOT_FOUND,
    /** The operating system refused access. */
    PERMISSION_DENIED,
    /** The operation ran past its timeout. */
    TIMEOUT,
    /** The operation was cancelled by the caller. */
    CANCELLED,
    /** An I/O operation failed for another reason. */
    IO_ERROR,
    /** Transferred bytes do not match their checksum. */
    INTEGRITY_ERROR,
    /** The request itself is malformed (empty argv, unsafe path, ...). */
    INVALID_REQUEST,
    /** The agent has no capacity left for another operation. */
    AGENT_BUSY,
    /** A bug: something that should not happen did. */
    INTERNAL,
    /** The host name does not resolve. */
    UNKNOWN_HOST,
    /** Nothing listens on the host's SSH port, or the network refused the connection. */
    CONNECTION_REFUSED,
    /** The host's key is unknown or differs from the one on record. */
    HOST_KEY_REJECTED,
    /** The host refused every credential offered. */
    AUTHENTICATION_FAILED,
    /** The agent could not be started on the host: missing tools, no usable place, refused integrity check. */
    BOOTSTRAP_FAILED,
    /** Starting the agent on the host took longer than allowed. */
    BOOTSTRAP_TIMEOUT,
    /**
     * A Wasm call failed in the module or its runtime ({@code Context.callWasm}); the exception says how. Controller
     * side only: no agent sends it.
     */
    WASM_FAILED,
    /**
     * A function call failed: the function threw, is not registered, or its worker failed ({@code Context.callJson});
     * the exception says how. Controller side only: no agent sends it.
     */
    FUNCTION_FAILED,

    /**
     * Privilege escalation ({@code sudo}, {@code su}, {@code doas}) was refused: a wrong or missing password, a user
     * not allowed to become the target, an unknown target user, or a tool that neither asked for a password nor
     * started the agent in time. Controller side only: no agent sends it.
     */
    BECOME_FAILED
}

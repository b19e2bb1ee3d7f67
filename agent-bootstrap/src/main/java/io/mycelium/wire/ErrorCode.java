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
    INTERNAL
}

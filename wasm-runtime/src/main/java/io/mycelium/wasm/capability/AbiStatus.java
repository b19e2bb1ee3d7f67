package io.mycelium.wasm.capability;

/**
 * The negative results of capability functions. A result {@code >= 0} is success: a length for functions that return
 * bytes, 0 for the others. These numbers are part of the ABI: never renumber one.
 */
public enum AbiStatus {
    /** No such key (kv), or nobody answered (messaging request). */
    NOT_FOUND(-1),
    /** The arguments are wrong: a pointer or length outside linear memory, bad UTF-8, a malformed JSON request. */
    INVALID(-2),
    /** A key, value, body or result is larger than the provider accepts. */
    TOO_LARGE(-3),
    /** The provider failed (I/O error, remote error); the guest may retry. */
    FAILED(-4),
    /** The operation took longer than its timeout. */
    TIMEOUT(-5),
    /** {@code take} found no pending result. */
    NO_RESULT(-6);

    private final int code;

    AbiStatus(int code) {
        this.code = code;
    }

    /** The i32 the guest sees. */
    public int code() {
        return code;
    }
}

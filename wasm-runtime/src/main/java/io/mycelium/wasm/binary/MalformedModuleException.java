package io.mycelium.wasm.binary;

/** The bytes are not a WebAssembly module this host can run; the message names the byte offset and the reason. */
public final class MalformedModuleException extends Exception {
    private static final long serialVersionUID = 1L;

    private final long offset;

    MalformedModuleException(long offset, String reason) {
        super(offset >= 0 ? "at byte " + offset + ": " + reason : reason);
        this.offset = offset;
    }

    /** Where in the module the problem is, or -1 when it is about the module as a whole. */
    public long offset() {
        return offset;
    }
}

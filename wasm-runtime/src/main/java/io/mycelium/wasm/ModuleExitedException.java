package io.mycelium.wasm;

/**
 * The module exited with a non-zero status: through WASI {@code proc_exit} (C's {@code exit}, or returning non-zero
 * from {@code main}), or a reactor export returning a non-zero i32. {@link #stdout()} keeps what it wrote, which need
 * not be JSON.
 */
public final class ModuleExitedException extends WasmException {
    private static final long serialVersionUID = 1L;

    private final int exitCode;
    private final String stdout;

    ModuleExitedException(String module, int exitCode, String stdout, String stderr) {
        super(WasmErrorCode.EXITED, module + " exited with status " + exitCode, stderr, null);
        this.exitCode = exitCode;
        this.stdout = stdout;
    }

    /** The exit status. */
    public int exitCode() {
        return exitCode;
    }

    /** The first 64 KiB of what the module wrote on stdout (as UTF-8, malformed bytes replaced). */
    public String stdout() {
        return stdout;
    }
}

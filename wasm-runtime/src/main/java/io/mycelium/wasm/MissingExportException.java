package io.mycelium.wasm;

import java.util.List;

/** The call named an export the module does not have, or one that is not a JSON entry point. */
public final class MissingExportException extends WasmException {
    private static final long serialVersionUID = 1L;

    private final String export;
    private final List<String> available;

    MissingExportException(String export, String message, List<String> available) {
        super(WasmErrorCode.MISSING_EXPORT, message, "", null);
        this.export = export;
        this.available = List.copyOf(available);
    }

    /** The export the call asked for. */
    public String export() {
        return export;
    }

    /** The function exports the module has. */
    public List<String> available() {
        return available;
    }
}

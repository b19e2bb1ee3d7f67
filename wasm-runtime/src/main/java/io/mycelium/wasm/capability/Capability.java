package io.mycelium.wasm.capability;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The side effects a module may be granted, each an import module with a fixed set of functions. Every parameter and
 * every result is an i32; the function table here is the ABI (see wasm-runtime/README.md and mycelium.h).
 */
public enum Capability {
    /** A key-value store: {@code get}, {@code set}, {@code delete}, {@code take}. */
    KV("mycelium:kv", "get", 4, "set", 4, "delete", 2, "take", 2),
    /** Outbound HTTP requests described in JSON: {@code request}, {@code take}. */
    HTTP("mycelium:http", "request", 4, "take", 2),
    /** Publish and request-reply on subjects: {@code publish}, {@code request}, {@code take}. */
    MESSAGING("mycelium:messaging", "publish", 4, "request", 7, "take", 2),
    /** Log lines at a level: {@code write}. */
    LOG("mycelium:log", "write", 3);

    private final String importModule;
    private final Map<String, Integer> functions;

    Capability(String importModule, Object... nameThenArity) {
        this.importModule = importModule;
        Map<String, Integer> f = new LinkedHashMap<>();
        for (int i = 0; i < nameThenArity.length; i += 2) {
            f.put((String) nameThenArity[i], (Integer) nameThenArity[i + 1]);
        }
        this.functions = Collections.unmodifiableMap(f);
    }

    /** The import module name a Wasm module uses for this capability, e.g. {@code mycelium:kv}. */
    public String importModule() {
        return importModule;
    }

    /** The functions of the import module and how many i32 parameters each takes; each returns one i32. */
    public Map<String, Integer> functions() {
        return functions;
    }

    /** The short name: {@code kv}, {@code http}, {@code messaging}, {@code log}. */
    public String shortName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The capability whose import module is {@code module}, if any. */
    public static Optional<Capability> forImportModule(String module) {
        return Arrays.stream(values())
                .filter(c -> c.importModule.equals(module))
                .findFirst();
    }

    /** The capability named {@code name} ({@code kv}, {@code http}, ...; case-insensitive), if any. */
    public static Optional<Capability> forName(String name) {
        return Arrays.stream(values())
                .filter(c -> c.name().equalsIgnoreCase(name))
                .findFirst();
    }
}

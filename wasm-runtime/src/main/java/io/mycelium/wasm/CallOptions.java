package io.mycelium.wasm;

import io.mycelium.wasm.capability.Grants;
import java.util.List;
import java.util.Objects;

/**
 * How to run one call. Immutable; each {@code with...} method returns a copy.
 *
 * @param export the function to call, or null for {@code _start} (command modules); a reactor module needs one
 * @param grants the capabilities the module may use
 * @param limits time, memory and output limits
 * @param arguments the module's WASI argv, exactly these strings (empty by default: argc is 0)
 */
public record CallOptions(String export, Grants grants, WasmLimits limits, List<String> arguments) {
    public CallOptions {
        Objects.requireNonNull(grants, "grants");
        Objects.requireNonNull(limits, "limits");
        arguments = List.copyOf(arguments);
    }

    /** {@code _start}, no capabilities, {@link WasmLimits#defaults()}, no arguments. */
    public static CallOptions defaults() {
        return new CallOptions(null, Grants.none(), WasmLimits.defaults(), List.of());
    }

    public CallOptions withExport(String export) {
        return new CallOptions(export, grants, limits, arguments);
    }

    public CallOptions withGrants(Grants grants) {
        return new CallOptions(export, grants, limits, arguments);
    }

    public CallOptions withLimits(WasmLimits limits) {
        return new CallOptions(export, grants, limits, arguments);
    }

    public CallOptions withArguments(List<String> arguments) {
        return new CallOptions(export, grants, limits, arguments);
    }
}

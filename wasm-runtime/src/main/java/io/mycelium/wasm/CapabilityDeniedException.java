package io.mycelium.wasm;

import io.mycelium.wasm.capability.Capability;

/** The module called a function of a capability it was not granted; the call stopped there. */
public final class CapabilityDeniedException extends WasmException {
    private static final long serialVersionUID = 1L;

    private final String module;
    private final Capability capability;
    private final String function;

    CapabilityDeniedException(String module, Capability capability, String function, String stderr) {
        super(
                WasmErrorCode.CAPABILITY_DENIED,
                module + " called " + capability.importModule() + "." + function + " but capability '"
                        + capability.shortName() + "' is not granted",
                stderr,
                null);
        this.module = module;
        this.capability = capability;
        this.function = function;
    }

    /** The capability the module lacked. */
    public Capability capability() {
        return capability;
    }

    /** The function it called. */
    public String function() {
        return function;
    }

    CapabilityDeniedException withStderr(String stderr) {
        CapabilityDeniedException e = new CapabilityDeniedException(module, capability, function, stderr);
        e.setStackTrace(getStackTrace());
        return e;
    }
}

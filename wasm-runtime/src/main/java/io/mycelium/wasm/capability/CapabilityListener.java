package io.mycelium.wasm.capability;

/**
 * Told about every capability call that was denied, as it happens and on the calling thread: an audit hook. It must
 * be quick and must not throw (what it throws is ignored).
 */
@FunctionalInterface
public interface CapabilityListener {
    void denied(CapabilityDenial denial);
}

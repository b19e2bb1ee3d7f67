package io.mycelium.wasm.capability;

import java.util.Optional;

/** The {@link Capability#KV} capability: byte keys to byte values. */
public non-sealed interface KvProvider extends CapabilityProvider {
    /** The value of {@code key}, or empty when there is none. */
    Optional<byte[]> get(byte[] key);

    /** Sets {@code key} to {@code value}. */
    void set(byte[] key, byte[] value);

    /** Removes {@code key}; true when it existed. */
    boolean delete(byte[] key);

    @Override
    default Capability capability() {
        return Capability.KV;
    }
}

package io.mycelium.wasm.capability;

/**
 * Something the host implements to give modules one capability. A provider is called on the thread running the Wasm
 * call, within that call's time limit; it must be thread-safe when it is granted to calls running at the same time.
 * To refuse or fail an operation it throws {@link ProviderException}; any other exception is reported to the guest as
 * {@link AbiStatus#FAILED}.
 */
public sealed interface CapabilityProvider permits KvProvider, HttpProvider, MessagingProvider, LogProvider {
    /** The capability this provider grants. */
    Capability capability();
}

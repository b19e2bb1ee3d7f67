package io.mycelium.wasm.capability;

import java.time.Instant;

/**
 * A module called a function of a capability it was not granted.
 *
 * @param moduleSha256 the module's digest (hex)
 * @param moduleName the module's name, as given when it was loaded
 * @param capability the capability it lacked
 * @param function the function it called, e.g. {@code get}
 * @param at when
 */
public record CapabilityDenial(
        String moduleSha256, String moduleName, Capability capability, String function, Instant at) {}

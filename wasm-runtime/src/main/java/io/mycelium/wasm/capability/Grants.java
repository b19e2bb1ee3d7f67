package io.mycelium.wasm.capability;

import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The capabilities one call or instance may use, each with its provider. Nothing is granted by default; a module
 * calling a function of a capability that is not here fails with a capability error.
 */
public final class Grants {
    private static final Grants NONE = new Grants(Map.of());

    private final Map<Capability, CapabilityProvider> providers;

    private Grants(Map<Capability, CapabilityProvider> providers) {
        this.providers = providers;
    }

    /** No capability at all. */
    public static Grants none() {
        return NONE;
    }

    /** Grants each provider's capability; two providers of one capability are an error. */
    public static Grants of(CapabilityProvider... providers) {
        Grants g = NONE;
        for (CapabilityProvider p : providers) {
            g = g.with(p);
        }
        return g;
    }

    /** These grants plus {@code provider}'s capability. */
    public Grants with(CapabilityProvider provider) {
        Capability c = provider.capability();
        if (providers.containsKey(c)) {
            throw new IllegalArgumentException("capability " + c.shortName() + " is already granted");
        }
        Map<Capability, CapabilityProvider> copy = new EnumMap<>(Capability.class);
        copy.putAll(providers);
        copy.put(c, provider);
        return new Grants(Map.copyOf(copy));
    }

    /** The provider of {@code capability}, or empty when it is not granted. */
    public Optional<CapabilityProvider> provider(Capability capability) {
        return Optional.ofNullable(providers.get(capability));
    }

    /** Whether {@code capability} is granted. */
    public boolean grants(Capability capability) {
        return providers.containsKey(capability);
    }

    /** The granted capabilities. */
    public Set<Capability> capabilities() {
        return providers.isEmpty() ? Set.of() : Set.copyOf(providers.keySet());
    }

    @Override
    public String toString() {
        return "Grants" + providers.keySet();
    }
}

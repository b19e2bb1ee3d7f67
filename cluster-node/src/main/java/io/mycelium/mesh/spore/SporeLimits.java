package io.mycelium.mesh.spore;

import java.util.Set;

/**
 * What a spore may be: the largest manifest and binary, and the public keys trusted to sign (empty: any key, the
 * signature is still checked).
 */
public record SporeLimits(long maxManifestBytes, long maxBinaryBytes, Set<String> trustedKeys) {
    /** 1 MiB of manifest, 512 MiB of binary, any key. */
    public static final SporeLimits DEFAULT = new SporeLimits(1 << 20, 512L << 20, Set.of());

    public SporeLimits {
        trustedKeys = Set.copyOf(trustedKeys);
    }

    /** These limits trusting only {@code keys} (base64 raw Ed25519 public keys). */
    public SporeLimits trusting(Set<String> keys) {
        return new SporeLimits(maxManifestBytes, maxBinaryBytes, keys);
    }
}

package io.mycelium.mesh.fabric;

import io.mycelium.journal.KryoSerializable;
import io.mycelium.mesh.spore.Sha256;

/**
 * What should run: the spore {@code digest} as app {@code app}, between {@code min} and {@code max} instances per
 * node agent, on {@code port} (0: a free one, given to the process in {@code PORT}).
 */
public record Plan(String app, String digest, int min, int max, int port) implements KryoSerializable {
    /** Checks every field; an invalid plan is an {@link IllegalArgumentException} naming the field. */
    public Plan {
        Names.checkApp(app);
        if (!Sha256.isDigest(digest)) {
            throw new IllegalArgumentException("digest: the sha256 of the .spore in lowercase hex, not " + digest);
        }
        if (min < 0 || max < 1 || max < min) {
            throw new IllegalArgumentException(
                    "min/max: 0 <= min <= max and max >= 1, not min " + min + ", max " + max);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: 0 (any free port) to 65535, not " + port);
        }
    }
}

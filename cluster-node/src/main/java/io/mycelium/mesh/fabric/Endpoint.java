package io.mycelium.mesh.fabric;

import io.mycelium.journal.KryoSerializable;

/** A live instance of {@code app} that answers HTTP at {@code url}, run by the node agent {@code nodeId}. */
public record Endpoint(String app, String url, String nodeId) implements KryoSerializable {
    /** The key in the endpoints map: one endpoint per app and node agent (the newest). */
    String key() {
        return app + "/" + nodeId;
    }
}

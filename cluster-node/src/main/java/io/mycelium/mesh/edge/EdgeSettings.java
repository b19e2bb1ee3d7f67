package io.mycelium.mesh.edge;

import com.typesafe.config.Config;
import java.time.Duration;

/** {@code mycelium.mesh.edge}. */
public record EdgeSettings(
        boolean enabled, String iface, int port, int maxConnectionsPerEndpoint, Duration logInterval) {

    /** Reads {@code mycelium.mesh.edge}. */
    public static EdgeSettings fromConfig(Config root) {
        Config c = root.getConfig("mycelium.mesh.edge");
        return new EdgeSettings(
                c.getBoolean("enabled"),
                c.getString("interface"),
                c.getInt("port"),
                c.getInt("max-connections-per-endpoint"),
                c.getDuration("log-interval"));
    }
}

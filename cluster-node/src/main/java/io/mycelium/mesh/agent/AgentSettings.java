package io.mycelium.mesh.agent;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/** {@code mycelium.mesh.agent}: how node agents run spores. */
public record AgentSettings(
        int count,
        Duration healthTimeout,
        Duration warmup,
        Duration stopGrace,
        RestartPolicy restart,
        long logMaxBytes,
        int logFiles,
        boolean cgroupsEnabled,
        Path cgroupMount) {

    /** Reads {@code mycelium.mesh.agent}. */
    public static AgentSettings fromConfig(Config root) {
        Config c = root.getConfig("mycelium.mesh.agent");
        return new AgentSettings(
                c.getInt("count"),
                c.getDuration("health-timeout"),
                c.getDuration("warmup"),
                c.getDuration("stop-grace"),
                new RestartPolicy(
                        RestartPolicy.Kind.valueOf(c.getString("restart").toUpperCase(Locale.ROOT)),
                        c.getDuration("backoff-min"),
                        c.getDuration("backoff-max"),
                        c.getDouble("backoff-jitter")),
                c.getBytes("log-max-size"),
                c.getInt("log-files"),
                c.getBoolean("cgroups.enabled"),
                Path.of(c.getString("cgroups.mount")));
    }
}

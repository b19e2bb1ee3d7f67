package io.mycelium.mesh;

import com.typesafe.config.Config;
import io.mycelium.mesh.spore.SporeLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/** {@code mycelium.mesh} of the node's configuration. */
public record MeshSettings(
        Path repoDir, SporeLimits limits, Optional<String> peerToken, Duration fetchTimeout, Duration askTimeout) {

    /** Reads {@code mycelium.mesh}. */
    public static MeshSettings fromConfig(Config root) {
        Config c = root.getConfig("mycelium.mesh");
        String token = c.getString("peer-token");
        String repoDir = c.getString("repo-dir");
        return new MeshSettings(
                (repoDir.isEmpty() ? Path.of(root.getString("mycelium.data-dir"), "spores") : Path.of(repoDir))
                        .toAbsolutePath(),
                new SporeLimits(
                        c.getBytes("max-manifest-size"),
                        c.getBytes("max-binary-size"),
                        Set.copyOf(c.getStringList("trusted-keys"))),
                token.isEmpty() ? Optional.empty() : Optional.of(token),
                c.getDuration("fetch-timeout"),
                root.getDuration("mycelium.node.exec.ask-timeout"));
    }
}

package io.mycelium.mesh;

import io.mycelium.mesh.spore.Spore;
import io.mycelium.mesh.spore.SporeKeys;
import io.mycelium.mesh.spore.SporeLimits;
import io.mycelium.mesh.spore.SporePacker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/** Packs small spores for tests. */
public final class TestSpores {
    private TestSpores() {}

    /** Packs {@code script} (a shell script) as spore {@code name} {@code version}, with a key made in {@code dir}. */
    public static Spore pack(Path dir, String name, String version, String script) throws IOException {
        Path keys = dir.resolve("keys");
        if (!Files.exists(keys.resolve(SporeKeys.PRIVATE_FILE))) {
            SporeKeys.generate(keys);
        }
        Path binary = Files.writeString(dir.resolve(name + "-" + version + ".bin"), script);
        Path manifest = Files.writeString(dir.resolve(name + "-" + version + ".json"), """
                {"identity": {"kind": "Spore", "name": "%s", "version": "%s"},
                 "runtime": {"command": "./binary"}}
                """.formatted(name, version));
        return SporePacker.pack(
                binary,
                manifest,
                keys,
                dir.resolve(name + "-" + version + ".spore"),
                SporeLimits.DEFAULT,
                Clock.systemUTC());
    }

    /** Where {@link #pack} wrote the spore. */
    public static Path file(Path dir, String name, String version) {
        return dir.resolve(name + "-" + version + ".spore");
    }
}

package io.mycelium.mesh.demo;

import io.mycelium.mesh.spore.Spore;
import io.mycelium.mesh.spore.SporeKeys;
import io.mycelium.mesh.spore.SporeLimits;
import io.mycelium.mesh.spore.SporePacker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/**
 * Packs the demo {@code billing} app as a spore. Its binary is a self-running jar: a two-line shell script followed
 * by a jar of {@link BillingApp} (the JDK reads a jar with a prefix), run with the JDK the node agent names in
 * {@code MYCELIUM_JAVA}.
 */
public final class DemoSpore {
    private static final String STUB = """
            #!/bin/sh
            exec "${MYCELIUM_JAVA:-java}" -Xmx24m -Xss256k -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
            -cp "$0" io.mycelium.mesh.demo.BillingApp "$@"
            """;

    private DemoSpore() {}

    /**
     * Writes {@code billing-<version>.spore} into {@code dir}, signed with the key in {@code dir/keys} (made when
     * missing). With {@code healthy} false the app's /health answers 503.
     */
    public static Spore pack(Path dir, String version, boolean healthy) throws IOException {
        Files.createDirectories(dir);
        Path keys = dir.resolve("keys");
        if (!Files.exists(keys.resolve(SporeKeys.PRIVATE_FILE))) {
            SporeKeys.generate(keys);
        }
        Path binary = dir.resolve("billing.bin");
        if (!Files.exists(binary)) {
            writeBinary(binary);
        }
        Path manifest = dir.resolve("billing-" + version + ".json");
        writeManifest(manifest, version, healthy);
        return SporePacker.pack(
                binary,
                manifest,
                keys,
                dir.resolve("billing-" + version + ".spore"),
                SporeLimits.DEFAULT,
                Clock.systemUTC());
    }

    /** Writes the demo app's binary (mode 0755). */
    public static void writeBinary(Path file) throws IOException {
        Files.write(file, binary());
        file.toFile().setExecutable(true, false);
    }

    /** Writes a manifest of the demo app at {@code version}; with {@code healthy} false its /health answers 503. */
    public static void writeManifest(Path file, String version, boolean healthy) throws IOException {
        Files.writeString(file, """
                {
                  "identity": {"kind": "Spore", "name": "billing", "version": "%s"},
                  "runtime": {"command": "./binary", "args": [], "env": {"VERSION": "%s", "HEALTH": "%s"}},
                  "resources": {"nutrients": {"cpu_milli": 250, "memory_mb": 64}},
                  "slo": {"p99_budget_ms": 50},
                  "security": {"lsm_profile": "unconfined", "read_only_fs": false}
                }
                """.formatted(version, version, healthy ? "ok" : "fail"));
    }

    /** Where {@link #pack} writes the spore of {@code version}. */
    public static Path file(Path dir, String version) {
        return dir.resolve("billing-" + version + ".spore");
    }

    private static byte[] binary() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(STUB.getBytes(StandardCharsets.UTF_8));
        try (JarOutputStream jar = new JarOutputStream(out)) {
            String name = BillingApp.class.getName().replace('.', '/') + ".class";
            jar.putNextEntry(new JarEntry(name));
            try (InputStream in = BillingApp.class.getClassLoader().getResourceAsStream(name)) {
                in.transferTo(jar);
            }
            jar.closeEntry();
        }
        return out.toByteArray();
    }
}

package io.mycelium.wasm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The modules src/test/wasm/build.sh built (Maven passes their folder as mycelium.wasm.testModules). */
final class TestModules {
    private TestModules() {}

    static Path dir() {
        String dir = System.getProperty("mycelium.wasm.testModules", "target/test-wasm");
        return Path.of(dir);
    }

    static Path path(String name) {
        Path p = dir().resolve(name + ".wasm");
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException(p + " is missing: src/test/wasm/build.sh builds it (Maven runs it at"
                    + " generate-test-resources)");
        }
        return p;
    }

    static byte[] bytes(String name) {
        try {
            return Files.readAllBytes(path(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

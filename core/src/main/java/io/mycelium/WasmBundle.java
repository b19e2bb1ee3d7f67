package io.mycelium;

import io.mycelium.transport.JavaRuntime;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The Wasm runtime this controller ships to hosts for {@link Context#callWasm}: the folder the wasm-runtime build makes
 * ({@code wasm-runtime/target/wasm-bundle}), with {@code lib/} (the worker and GraalWasm) and {@code compiler/} (Graal's
 * optimizing compiler). Each part is addressed on the hosts by its tree digest, the one stage 1 computes for runtimes:
 * sha256 over the {@code sha256sum} lines of its files sorted by path.
 *
 * @param lib the folder of jars the worker runs from
 * @param libTree its tree digest
 * @param compiler the folder of compiler jars
 * @param compilerTree its tree digest
 */
record WasmBundle(Path lib, String libTree, Path compiler, String compilerTree) {
    /** System property naming the bundle folder; bin/mycelium sets it. */
    static final String PROPERTY = "mycelium.wasm.bundle";

    private static volatile WasmBundle located;
    private static volatile Path runtimeArchive;

    /**
     * The bundle named by {@value #PROPERTY}, digested once per JVM.
     *
     * @throws IllegalStateException saying what is missing
     */
    static WasmBundle locate() {
        WasmBundle bundle = located;
        if (bundle != null) {
            return bundle;
        }
        synchronized (WasmBundle.class) {
            if (located == null) {
                String dir = System.getProperty(PROPERTY);
                if (dir == null || dir.isBlank()) {
                    throw new IllegalStateException("this controller has no Wasm runtime to ship: set the system"
                            + " property " + PROPERTY + " to the wasm-runtime build's target/wasm-bundle folder"
                            + " (bin/mycelium does)");
                }
                Path root = Path.of(dir);
                Path lib = root.resolve("lib");
                Path compiler = root.resolve("compiler");
                if (!Files.isDirectory(lib) || !Files.isDirectory(compiler)) {
                    throw new IllegalStateException(PROPERTY + "=" + dir + " has no lib/ and compiler/ folders: build"
                            + " wasm-runtime first (./mvnw -pl wasm-runtime package)");
                }
                located = new WasmBundle(lib, treeDigest(lib), compiler, treeDigest(compiler));
            }
            return located;
        }
    }

    /**
     * The archive of the Java runtime built into this library, written to a temporary file once per JVM so that it
     * can be {@linkplain Context#put put} like any file.
     */
    static Path runtimeArchive(JavaRuntime runtime) throws IOException {
        Path archive = runtimeArchive;
        if (archive != null) {
            return archive;
        }
        synchronized (WasmBundle.class) {
            if (runtimeArchive == null) {
                Path file = Files.createTempFile("mycelium-java-runtime-", ".tgz");
                file.toFile().deleteOnExit();
                runtime.writeTo(file);
                runtimeArchive = file;
            }
            return runtimeArchive;
        }
    }

    /** {@code (cd dir && find . -type f | LC_ALL=C sort | xargs sha256sum) | sha256sum}. */
    static String treeDigest(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            List<String> names = walk.filter(Files::isRegularFile)
                    .map(p -> "./" + dir.relativize(p).toString().replace('\\', '/'))
                    .sorted((a, b) -> compareBytes(a, b))
                    .toList();
            MessageDigest tree = sha256();
            for (String name : names) {
                MessageDigest file = sha256();
                try (InputStream in = new DigestInputStream(Files.newInputStream(dir.resolve(name)), file)) {
                    in.transferTo(java.io.OutputStream.nullOutputStream());
                }
                String line = HexFormat.of().formatHex(file.digest()) + "  " + name + "\n";
                tree.update(line.getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(tree.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Wasm bundle in " + dir, e);
        }
    }

    /** The lower-case hex sha256 of {@code bytes}. */
    static String sha256Hex(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    /** {@code LC_ALL=C sort} order: unsigned bytes. */
    private static int compareBytes(String a, String b) {
        return java.util.Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}

package io.mycelium;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import io.mycelium.function.JsonFunction;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * What a {@link FunctionRegistry} ships to hosts: one folder of jars (the worker, Jackson, the functions' code sources,
 * the libraries), addressed on the hosts by its tree digest like the Wasm runtime's parts. A classes directory is packed
 * into a jar with fixed entry times and order, so the same classes give the same digest in every run.
 *
 * @param dir the local folder, removed when this JVM exits
 * @param tree its tree digest ({@link WasmBundle#treeDigest})
 * @param classes function name to class name, for the worker's command line
 */
record FunctionBundle(Path dir, String tree, Map<String, String> classes) {
    /** 1980-01-01T00:00:00Z, the earliest time a zip entry holds: a fixed time keeps packed jars identical. */
    private static final long ENTRY_TIME = 315_532_800_000L;

    static FunctionBundle build(FunctionRegistry registry) {
        Set<Path> entries = new LinkedHashSet<>(List.of(
                codeSource(JsonFunction.class),
                codeSource(JsonNode.class),
                codeSource(JsonFactory.class),
                codeSource(JsonProperty.class)));
        Map<String, String> classes = new LinkedHashMap<>();
        registry.functions().forEach((name, type) -> {
            entries.add(codeSource(type));
            classes.put(name, type.getName());
        });
        entries.addAll(registry.libraries());
        try {
            Path dir = Files.createTempDirectory("mycelium-functions-");
            dir.toFile().deleteOnExit();
            int index = 0;
            for (Path entry : entries) {
                String base = String.format("%02d-%s", index++, entry.getFileName());
                Path target = dir.resolve(base.endsWith(".jar") ? base : base + ".jar");
                target.toFile().deleteOnExit();
                if (Files.isDirectory(entry)) {
                    pack(entry, target);
                } else {
                    Files.copy(entry, target);
                }
            }
            return new FunctionBundle(dir, WasmBundle.treeDigest(dir), Map.copyOf(classes));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot assemble the functions' jars", e);
        }
    }

    /**
     * The jar or classes directory {@code type} was loaded from.
     *
     * @throws IllegalArgumentException when it has none that is a local file
     */
    static Path codeSource(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            throw new IllegalArgumentException(type.getName() + " has no code source (a JDK class, or generated): it"
                    + " cannot be shipped to a host");
        }
        try {
            Path path = Path.of(source.getLocation().toURI());
            if (!Files.exists(path)) {
                throw new IllegalArgumentException(type.getName() + " was loaded from " + path + ", which is gone");
            }
            return path;
        } catch (URISyntaxException | IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            throw new IllegalArgumentException(
                    type.getName() + " was not loaded from a local jar or directory: " + source.getLocation(), e);
        }
    }

    /** Packs {@code dir} into the jar {@code target}: entries sorted by path, all with the same time. */
    private static void pack(Path dir, Path target) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile)
                    .sorted((a, b) -> dir.relativize(a)
                            .toString()
                            .compareTo(dir.relativize(b).toString()))
                    .toList();
        }
        try (OutputStream out = Files.newOutputStream(target);
                JarOutputStream jar = new JarOutputStream(out)) {
            for (Path file : files) {
                JarEntry entry = new JarEntry(dir.relativize(file).toString().replace('\\', '/'));
                entry.setTime(ENTRY_TIME);
                jar.putNextEntry(entry);
                Files.copy(file, jar);
                jar.closeEntry();
            }
        }
    }
}

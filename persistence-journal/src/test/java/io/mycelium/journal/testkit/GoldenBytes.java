package io.mycelium.journal.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;

/**
 * Golden-bytes checks: the serialized form of a sample is compared with a file committed under
 * {@code src/test/resources/golden/}, so a change to an event's format shows up in review instead of in a journal that
 * no longer reads.
 *
 * <pre>{@code
 * GoldenBytes.assertSerializedMatches(system, "exec-requested-v1", new ExecRequested(...));
 * }</pre>
 *
 * <p>The file ({@code <name>.golden}) is text: a comment, the serializer id, the manifest, then the bytes in hex, so a
 * diff is readable. Two things are checked: the stored bytes still deserialize to the sample (old journals stay
 * readable), and the sample still serializes to the stored bytes (nodes of the previous version can read new events).
 * To write or rewrite the files, run the tests with {@code -Dgolden.update=true} and commit the result; do it only
 * when the change is meant, and add a new sample (a new record with a new id) rather than rewriting an old one whose
 * events are already stored.
 *
 * <p>The directory is {@value #DEFAULT_DIRECTORY}, relative to the working directory (Maven runs tests in the
 * module's directory), or the system property {@value #DIRECTORY_PROPERTY}. This class comes with the module's
 * test-jar ({@code mycelium-persistence-journal}, classifier {@code tests}); it needs AssertJ on the test class path.
 */
public final class GoldenBytes {
    /** Set this system property to {@code true} to write the golden files instead of checking them. */
    public static final String UPDATE_PROPERTY = "golden.update";

    /** A system property that moves the golden directory. */
    public static final String DIRECTORY_PROPERTY = "golden.dir";

    /** Where the golden files are unless {@value #DIRECTORY_PROPERTY} says otherwise. */
    public static final String DEFAULT_DIRECTORY = "src/test/resources/golden";

    private static final int HEX_BYTES_PER_LINE = 32;

    private GoldenBytes() {}

    /**
     * Serializes {@code sample} with {@code system}'s Pekko serialization and checks it against
     * {@code <golden dir>/<name>.golden}: same serializer id, manifest and bytes, and the stored bytes read back as a
     * value equal to {@code sample} (by {@code equals}, or by serializing to the same bytes today).
     */
    public static void assertSerializedMatches(ActorSystem<?> system, String name, Object sample) {
        Serialization serialization = SerializationExtension.get(Adapter.toClassic(system));
        Serializer serializer = serialization.findSerializerFor(sample);
        Golden actual = new Golden(
                serializer.identifier(),
                Serializers.manifestFor(serializer, sample),
                serialization.serialize(sample).get());
        Path file = file(name);
        if (updating()) {
            write(file, sample.getClass().getName(), actual);
            return;
        }
        Golden stored = read(file);
        Object storedValue = serialization
                .deserialize(stored.bytes(), stored.serializerId(), stored.manifest())
                .get();
        // Equal, or serializing to the same bytes as the sample today: records holding arrays are never equal, and a
        // sorted map comes back equal but unsorted, which a field-by-field comparison refuses. Otherwise the
        // field-by-field comparison says where they differ.
        boolean same = Objects.equals(storedValue, sample)
                || Arrays.equals(serialization.serialize(storedValue).get(), actual.bytes());
        if (!same) {
            assertThat(storedValue)
                    .as(
                            "the bytes in %s no longer read back as the sample: events stored in this format would not"
                                    + " read either",
                            file)
                    .usingRecursiveComparison()
                    .isEqualTo(sample);
        }
        assertThat(actual.serializerId())
                .as("serializer id of %s (%s)", name, file)
                .isEqualTo(stored.serializerId());
        assertThat(actual.manifest()).as("manifest of %s (%s)", name, file).isEqualTo(stored.manifest());
        assertThat(HexFormat.of().formatHex(actual.bytes()))
                .as(
                        "bytes of %s differ from %s. If the new format is intended, rerun with -D%s=true and commit"
                                + " the file; nodes of the previous version will not read the new bytes",
                        name, file, UPDATE_PROPERTY)
                .isEqualTo(HexFormat.of().formatHex(stored.bytes()));
    }

    /** Checks raw bytes against {@code <golden dir>/<name>.golden} (serializer id and manifest are left as 0 and ""). */
    public static void assertBytesMatch(String name, byte[] actual) {
        Path file = file(name);
        if (updating()) {
            write(file, "raw bytes", new Golden(0, "", actual));
            return;
        }
        assertThat(HexFormat.of().formatHex(actual))
                .as(
                        "bytes of %s differ from %s; if the change is intended, rerun with -D%s=true and commit it",
                        name, file, UPDATE_PROPERTY)
                .isEqualTo(HexFormat.of().formatHex(read(file).bytes()));
    }

    /** True when the tests run to rewrite the golden files ({@code -Dgolden.update=true}). */
    public static boolean updating() {
        return Boolean.getBoolean(UPDATE_PROPERTY);
    }

    /** The golden file of {@code name}. */
    public static Path file(String name) {
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("golden file names use letters, digits, '.', '_' and '-': " + name);
        }
        return Path.of(System.getProperty(DIRECTORY_PROPERTY, DEFAULT_DIRECTORY))
                .resolve(name + ".golden");
    }

    private record Golden(int serializerId, String manifest, byte[] bytes) {}

    private static void write(Path file, String what, Golden golden) {
        List<String> lines = new ArrayList<>();
        lines.add("# " + what + ": written by GoldenBytes with -D" + UPDATE_PROPERTY + "=true; do not edit by hand");
        lines.add("serializer " + golden.serializerId());
        lines.add("manifest " + golden.manifest());
        String hex = HexFormat.of().formatHex(golden.bytes());
        for (int i = 0; i < hex.length(); i += 2 * HEX_BYTES_PER_LINE) {
            lines.add(hex.substring(i, Math.min(hex.length(), i + 2 * HEX_BYTES_PER_LINE)));
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static Golden read(Path file) {
        if (!Files.isRegularFile(file)) {
            return fail("no golden file " + file.toAbsolutePath() + ": run the test once with -D" + UPDATE_PROPERTY
                    + "=true to write it, then commit it");
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        int serializerId = 0;
        String manifest = "";
        StringBuilder hex = new StringBuilder();
        for (String line : lines) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            } else if (line.startsWith("serializer ")) {
                serializerId =
                        Integer.parseInt(line.substring("serializer ".length()).trim());
            } else if (line.startsWith("manifest")) {
                manifest = line.substring("manifest".length()).trim();
            } else {
                hex.append(line.trim());
            }
        }
        return new Golden(serializerId, manifest, HexFormat.of().parseHex(hex));
    }
}

package io.mycelium.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A wrong registration stops the actor system from starting, with a message that says which entry and why. */
class KryoRegistrationsTest {
    private static Config registrations(String hocon) {
        return ConfigFactory.parseString("mycelium.serialization.kryo.registrations {" + hocon + "}");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "99 = \"io.mycelium.journal.Samples$Inner\""
                        + " | ids below 100 are reserved for the Kryo serializer's built-ins",
                "150 = \"io.mycelium.journal.NoSuchClass\" | class io.mycelium.journal.NoSuchClass not found",
                "150 = \"io.mycelium.journal.Samples$Inner\"  | io.mycelium.journal.Samples$Inner is registered twice",
                "\"0112\" = \"io.mycelium.journal.JournalSettings\" | duplicate Kryo registration id 112",
                "abc = \"io.mycelium.journal.Samples$Inner\" | the key must be a registration id",
                "150 = \"java.util.UUID\" | is a built-in of the Kryo serializer",
                "150 = \"io.mycelium.journal.KryoSerializerTest\" | is neither a record nor an enum",
                "150 = 42 | must be a fully qualified class name",
            })
    void failsTheStartOfTheActorSystem(String entry, String message) {
        Config config = TestSystems.config(registrations(entry));

        assertThatThrownBy(() -> ActorTestKit.create("KryoRegistrationsTest", config))
                .hasStackTraceContaining(message);
    }

    @Test
    void twoLibrariesClaimingOneIdInTheirReferenceConfsFailWithBothFiles(@TempDir Path dir) throws Exception {
        Path first = Files.createDirectories(dir.resolve("first"));
        Path second = Files.createDirectories(dir.resolve("second"));
        Files.writeString(
                first.resolve("reference.conf"), "mycelium.serialization.kryo.registrations { 500 = \"a.First\" }");
        Files.writeString(
                second.resolve("reference.conf"), "mycelium.serialization.kryo.registrations { 500 = \"b.Second\" }");
        // No parent: only the two files are on this class path.
        try (URLClassLoader loader = new URLClassLoader(
                new URL[] {first.toUri().toURL(), second.toUri().toURL()}, null)) {
            assertThatThrownBy(() -> KryoRegistrations.fromConfig(ConfigFactory.empty(), loader))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("duplicate Kryo registration id 500")
                    .hasMessageContaining("a.First")
                    .hasMessageContaining("b.Second")
                    .hasMessageContaining(first.toString())
                    .hasMessageContaining(second.toString());
        }
    }

    @Test
    void theSameIdForTheSameClassInTwoFilesIsFine(@TempDir Path dir) throws Exception {
        Path first = Files.createDirectories(dir.resolve("first"));
        Path second = Files.createDirectories(dir.resolve("second"));
        for (Path file : new Path[] {first, second}) {
            Files.writeString(
                    file.resolve("reference.conf"), "mycelium.serialization.kryo.registrations { 500 = \"a.Same\" }");
        }
        try (URLClassLoader loader = new URLClassLoader(
                new URL[] {first.toUri().toURL(), second.toUri().toURL()}, null)) {
            assertThat(KryoRegistrations.fromConfig(ConfigFactory.empty(), loader)
                            .classOf(500))
                    .isNull();
        }
    }

    @Test
    void theRegistrationsOfTheTestsAreReadFromConfig() {
        KryoRegistrations registrations = KryoRegistrations.fromConfig(
                TestSystems.config(ConfigFactory.empty()), getClass().getClassLoader());

        assertThat(registrations.classOf(100)).isEqualTo(Counter.Incremented.class);
        assertThat(registrations.idOf(Samples.Color.class)).isEqualTo(110);
        assertThat(registrations.idOf(String.class))
                .as("built-ins are not application registrations")
                .isNull();
    }
}

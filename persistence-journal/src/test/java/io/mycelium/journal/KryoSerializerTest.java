package io.mycelium.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.io.NotSerializableException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.stream.SinkRef;
import org.apache.pekko.stream.SourceRef;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamRefs;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Round trips through Pekko's serialization, so the binding in reference.conf is tested along with the serializer. */
class KryoSerializerTest {
    private static ActorTestKit testKit;
    private static Serialization serialization;

    @BeforeAll
    static void start() {
        testKit = TestSystems.start("KryoSerializerTest", ConfigFactory.empty());
        serialization = SerializationExtension.get(Adapter.toClassic(testKit.system()));
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    /** Serializes as Pekko would for the journal or the wire, and reads it back. */
    static Object roundTrip(Object value) throws Exception {
        org.apache.pekko.serialization.Serializer serializer = serialization.findSerializerFor(value);
        assertThat(serializer).isInstanceOf(KryoSerializer.class);
        byte[] bytes = serialization.serialize(value).get();
        return serialization
                .deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, value))
                .get();
    }

    static Stream<Long> seeds() {
        return LongStream.range(0, 300).boxed();
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void randomSamplesOfEveryBuiltInComeBackEqual(long seed) throws Exception {
        Samples.Everything sample = Samples.random(new Random(seed));

        Object read = roundTrip(sample);

        assertThat(read).usingRecursiveComparison().isEqualTo(sample);
        // Reading and writing again changes nothing: immutable copies keep the order they were written in.
        assertThat(roundTrip(read)).usingRecursiveComparison().isEqualTo(sample);
    }

    @Test
    void theFixedSampleComesBackEqualWithTheDocumentedTypes() throws Exception {
        Samples.Everything sample = Samples.fixed();

        Samples.Everything read = (Samples.Everything) roundTrip(sample);

        // The sorted map in mixed comes back unmodifiable, no longer sorted: equal, but not to a recursive comparison.
        assertThat(read).usingRecursiveComparison().ignoringFields("mixed").isEqualTo(sample);
        assertThat(read.mixed()).isEqualTo(sample.mixed());
        assertThat(read.bytes()).isEqualTo(sample.bytes()).isNotSameAs(sample.bytes());
        assertThat(read.arrayList()).isExactlyInstanceOf(ArrayList.class);
        assertThat(read.linkedHashMap())
                .isExactlyInstanceOf(LinkedHashMap.class)
                .containsExactly(Map.entry("z", 26L), Map.entry("a", 1L));
        assertThat(read.hashMap()).isExactlyInstanceOf(HashMap.class).containsEntry("none", null);
        assertThat(read.byteString()).isEqualTo(ByteString.fromString("bytes"));
        assertThat(read.mixed())
                .containsExactly(
                        1,
                        null,
                        "two",
                        List.of(3L),
                        Map.of("a", 1, "b", 2),
                        List.of(4),
                        Set.of(5),
                        java.util.Optional.of(6));
        assertImmutable(read.listOf());
        assertImmutable(read.copiedList());
        assertImmutable(read.mixed()); // Arrays.asList, with a null in it
        assertThatThrownBy(() -> read.setOf().add("more")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> read.mapOf().put("more", 1)).isInstanceOf(UnsupportedOperationException.class);
    }

    private static void assertImmutable(List<?> list) {
        assertThatThrownBy(() -> list.add(null)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void jdkSetsAndMapsOfAnyKindAreReadBackImmutableInTheOrderWritten() throws Exception {
        TreeMap<String, Integer> sorted = new TreeMap<>(Map.of("c", 3, "a", 1, "b", 2));
        Samples.Holder holder = new Samples.Holder(List.of(
                sorted,
                new TreeSet<>(Set.of(3, 1, 2)),
                Collections.unmodifiableMap(new LinkedHashMap<>(sorted)),
                Set.of(9, 8, 7, 6),
                IntStream.range(0, 5).boxed().toList()));

        @SuppressWarnings("unchecked")
        List<Object> read = (List<Object>) ((Samples.Holder) roundTrip(holder)).value();

        assertThat(read).isEqualTo(holder.value());
        assertThat(new ArrayList<Object>(((Map<?, ?>) read.get(0)).entrySet()))
                .containsExactly(Map.entry("a", 1), Map.entry("b", 2), Map.entry("c", 3));
        assertThat(new ArrayList<Object>((Set<?>) read.get(1))).containsExactly(1, 2, 3);
        // Set.of iterates in an order of this JVM's choosing; the copy keeps it.
        assertThat(List.copyOf((Set<?>) read.get(3))).isEqualTo(List.copyOf(Set.of(9, 8, 7, 6)));
        for (Object collection : read) {
            assertThat(collection.getClass().getName())
                    .as("not a mutable type")
                    .isNotIn(TreeMap.class.getName(), TreeSet.class.getName(), LinkedHashSet.class.getName());
        }
        byte[] once = serialization.serialize(holder).get();
        byte[] twice = serialization.serialize(roundTrip(holder)).get();
        assertThat(twice).as("same bytes after a round trip").isEqualTo(once);
    }

    @Test
    void actorRefsOfBothKindsComeBackAsTheSameRefs() throws Exception {
        TestProbe<String> typed = testKit.createTestProbe();
        TestProbe<String> other = testKit.createTestProbe();
        org.apache.pekko.actor.ActorRef classic = Adapter.toClassic(other.ref());
        Samples.WithRefs refs = new Samples.WithRefs(typed.ref(), classic, List.of(other.ref(), typed.ref()));

        Samples.WithRefs read = (Samples.WithRefs) roundTrip(refs);

        assertThat(read).isEqualTo(refs);
        read.typed().tell("reaches the probe");
        typed.expectMessage("reaches the probe");
    }

    @Test
    void streamRefsComeBackUsable() throws Exception {
        Pair<SinkRef<String>, CompletionStage<List<String>>> sink =
                StreamRefs.<String>sinkRef().toMat(Sink.seq(), Keep.both()).run(testKit.system());
        SourceRef<String> source = Source.from(List.of("x", "y")).runWith(StreamRefs.sourceRef(), testKit.system());

        @SuppressWarnings("unchecked")
        List<Object> read =
                (List<Object>) ((Samples.Holder) roundTrip(new Samples.Holder(List.of(sink.first(), source)))).value();
        @SuppressWarnings("unchecked")
        SinkRef<String> sinkRead = (SinkRef<String>) read.get(0);
        @SuppressWarnings("unchecked")
        SourceRef<String> sourceRead = (SourceRef<String>) read.get(1);

        assertThat(read).containsExactly(sink.first(), source);
        Source.from(List.of("into", "the", "sink")).runWith(sinkRead.getSink(), testKit.system());
        assertThat(sink.second().toCompletableFuture().get(10, TimeUnit.SECONDS))
                .containsExactly("into", "the", "sink");
        assertThat(sourceRead
                        .getSource()
                        .runWith(Sink.seq(), testKit.system())
                        .toCompletableFuture()
                        .get(10, TimeUnit.SECONDS))
                .containsExactly("x", "y");
    }

    @Test
    void anUnregisteredClassFailsWithTheClassAndWhereToRegisterIt() {
        record Unregistered(int value) implements KryoSerializable {}

        assertThat(serialization.serialize(new Unregistered(1)).failed().get())
                .isInstanceOf(NotSerializableException.class)
                .hasMessageContaining(Unregistered.class.getName())
                .hasMessageContaining("mycelium.serialization.kryo.registrations");
    }

    @Test
    void anUnregisteredClassInsideARegisteredOneFailsTheSameWay() {
        record Unregistered(int value) {}

        assertThat(serialization
                        .serialize(new Samples.Holder(new Unregistered(1)))
                        .failed()
                        .get())
                .isInstanceOf(NotSerializableException.class)
                .hasMessageContaining(Unregistered.class.getName())
                .hasMessageContaining("mycelium.serialization.kryo.registrations");
    }

    @Test
    void anEnumConstantIsStoredByNameSoAnUnknownOneFailsByName() throws Exception {
        KryoSerializer serializer = (KryoSerializer) serialization.findSerializerFor(Samples.Color.RED);
        assertThat(serializer.manifest(Samples.Color.RED)).isEqualTo("110");
        byte[] red = serializer.toBinary(Samples.Color.RED);
        byte[] renamed = new String(red, java.nio.charset.StandardCharsets.ISO_8859_1)
                .replace("RED", "ROT")
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);

        assertThat(serializer.fromBinary(red, serializer.manifest(Samples.Color.RED)))
                .isEqualTo(Samples.Color.RED);
        assertThatThrownBy(() -> serializer.fromBinary(renamed, serializer.manifest(Samples.Color.RED)))
                .isInstanceOf(NotSerializableException.class)
                .hasMessageContaining("has no constant ROT");
    }
}

package io.mycelium.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.esotericsoftware.kryo.io.Output;
import com.typesafe.config.ConfigFactory;
import java.io.NotSerializableException;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bytes that did not come from {@link KryoSerializer} (a corrupted journal row, a hostile peer) make {@code fromBinary}
 * throw a {@link NotSerializableException}, and never allocate anything near what they declare.
 */
class HostileInputTest {
    /** Far below every hostile length declared here (about 2 GiB), far above the cost of refusing. */
    private static final long ALLOCATION_BUDGET = 256 * 1024;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static ActorTestKit testKit;
    private static KryoSerializer serializer;

    @BeforeAll
    static void start() {
        testKit = TestSystems.start("HostileInputTest", ConfigFactory.empty());
        serializer = (KryoSerializer)
                SerializationExtension.get(Adapter.toClassic(testKit.system())).findSerializerFor(Samples.fixed());
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    /** The manifest of {@link Samples.Holder}, whose one component is an {@code Object}: any class id goes. */
    private static String holder() {
        return serializer.manifest(new Samples.Holder(null));
    }

    /** Varints as Kryo writes them (positive-optimized), e.g. a class id + 2, then a declared length. */
    private static byte[] varints(int... values) {
        Output output = new Output(64, -1);
        for (int value : values) {
            output.writeVarInt(value, true);
        }
        return output.toBytes();
    }

    /**
     * Runs {@code fromBinary} twice: once to warm up (class loading, lazy init), then measuring what this thread
     * allocates. Returns the value read, or null after a {@link NotSerializableException}; any other throwable fails.
     */
    private static Object readWithin(long budget, byte[] bytes, String manifest) {
        attempt(bytes, manifest);
        long before = THREADS.getCurrentThreadAllocatedBytes();
        Object read = attempt(bytes, manifest);
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        assertThat(allocated)
                .as("bytes allocated reading %d bytes %s", bytes.length, Arrays.toString(bytes))
                .isLessThan(budget);
        return read;
    }

    private static Object attempt(byte[] bytes, String manifest) {
        try {
            return serializer.fromBinary(bytes, manifest);
        } catch (NotSerializableException e) {
            return null;
        } catch (OutOfMemoryError e) {
            // Reported as a failure of this test rather than left to abort the whole run.
            throw new AssertionError("allocated what the hostile input declared", e);
        }
    }

    private static NotSerializableException refused(byte[] bytes, String manifest) {
        readWithin(ALLOCATION_BUDGET, bytes, manifest);
        try {
            Object read = serializer.fromBinary(bytes, manifest);
            return fail("expected a NotSerializableException, read " + read);
        } catch (NotSerializableException e) {
            return e;
        }
    }

    static Stream<Arguments> hugeDeclaredLengths() {
        int huge = Integer.MAX_VALUE - 1;
        return Stream.of(
                Arguments.of("String", varints(1 + 2, huge), "declared length"),
                Arguments.of("String, negative length", varints(1 + 2, -5), "negative length"),
                Arguments.of("byte[]", varints(10 + 2, huge), "of a byte[]"),
                Arguments.of("ArrayList", varints(20 + 2, huge), "of a ArrayList"),
                Arguments.of("HashMap", varints(21 + 2, huge), "of a HashMap"),
                Arguments.of("List.of", varints(25 + 2, huge), "of a list"),
                Arguments.of("Set.of", varints(26 + 2, huge), "of a set"),
                Arguments.of("Map.of", varints(27 + 2, huge), "of a map"),
                Arguments.of("ByteString", varints(30 + 2, huge), "of a ByteString"),
                Arguments.of("typed ActorRef", varints(40 + 2, huge), "of a String"),
                Arguments.of("classic ActorRef", varints(41 + 2, huge), "of a String"),
                Arguments.of("SourceRef manifest", varints(42 + 2, 0, huge), "of a String"),
                Arguments.of("SinkRef bytes", varints(43 + 2, 0, 1, huge), "of a SinkRef"),
                Arguments.of("list of lists", varints(25 + 2, 3, 25 + 2, 3, 25 + 2, huge), "of a list"),
                Arguments.of("Optional of a String", varints(14 + 2, 1 + 2, huge), "of a String"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hugeDeclaredLengths")
    void aHugeDeclaredLengthIsRefusedBeforeAllocating(String what, byte[] bytes, String message) {
        assertThat(refused(bytes, holder()))
                .hasMessageContaining("cannot read " + Samples.Holder.class.getName())
                .hasMessageContaining(message);
    }

    @Test
    void aHugeStringAtTheStartOfARecordIsRefused() {
        // Inner's first component (by name) is its enum, a final type: a not-null flag, then the constant's name.
        assertThat(refused(varints(1, Integer.MAX_VALUE), serializer.manifest(new Samples.Inner("x", null))))
                .hasMessageContaining("declared length");
    }

    @Test
    void aClassGivenByNameIsRefusedWithoutReadingTheName() {
        // Class id 1 is Kryo's "name follows": a name id, then a string declared 2 GiB long.
        assertThat(refused(varints(1, 0, Integer.MAX_VALUE - 1), holder())).hasMessageContaining("class given by name");
    }

    @Test
    void anUnregisteredClassIdIsRefused() {
        assertThat(refused(varints(5000 + 2), holder())).hasMessageContaining("unregistered class ID: 5000");
    }

    @Test
    void nestingDeeperThanTheLimitIsRefused() {
        int[] nested = IntStream.range(0, 2 * KryoRegistrations.MAX_DEPTH)
                .flatMap(i -> IntStream.of(25 + 2, 1))
                .toArray();
        assertThat(refused(varints(nested), holder())).hasMessageContaining("Max depth exceeded");
    }

    @Test
    void aSourceRefFromAnotherSerializerIsRefused() {
        // Serializer id 1 is Java serialization: the bytes must not choose it.
        Output output = new Output(64);
        output.writeVarInt(42 + 2, true);
        output.writeVarInt(1, false);
        BoundedSerializers.writeString(output, "");
        BoundedSerializers.writeBytes(output, new byte[] {1, 2, 3});
        assertThat(refused(output.toBytes(), holder())).hasMessageContaining("must come from Pekko serializer");
    }

    @Test
    void trailingBytesAreRefused() {
        byte[] valid = serializer.toBinary(Samples.fixed());
        byte[] longer = Arrays.copyOf(valid, valid.length + 1);

        assertThat(refused(longer, serializer.manifest(Samples.fixed()))).hasMessageContaining("1 trailing bytes");
    }

    @Test
    void manifestsThatAreNotRegisteredIdsAreRefused() {
        byte[] valid = serializer.toBinary(Samples.fixed());

        assertThat(refused(valid, "999")).hasMessageContaining("no class is registered under Kryo id 999");
        assertThat(refused(valid, "Everything")).hasMessageContaining("is not a Kryo registration id");
        assertThat(refused(valid, "1")).hasMessageContaining("no class is registered under Kryo id 1");
    }

    static Stream<Long> seeds() {
        return Stream.of(1L, 2L, 3L, 4L, 5L);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void everyTruncationOfAValidPayloadIsRefused(long seed) {
        Object sample = seed == 1 ? Samples.fixed() : Samples.random(new Random(seed));
        byte[] valid = serializer.toBinary(sample);
        String manifest = serializer.manifest(sample);

        for (int length = 0; length < valid.length; length++) {
            refused(Arrays.copyOf(valid, length), manifest);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void randomGarbageUnderEveryManifestIsRefusedOrReadWithinBudget(long seed) {
        Random random = new Random(seed);
        List<String> manifests = IntStream.of(100, 101, 110, 111, 112, 113, 114, 120, 121)
                .mapToObj(Integer::toString)
                .toList();
        for (int i = 0; i < 400; i++) {
            byte[] garbage = new byte[random.nextInt(256)];
            random.nextBytes(garbage);
            readWithin(ALLOCATION_BUDGET, garbage, manifests.get(random.nextInt(manifests.size())));
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void validPayloadsWithRandomBytesChangedAreRefusedOrReadWithinBudget(long seed) {
        Random random = new Random(seed);
        Object sample = Samples.random(random);
        byte[] valid = serializer.toBinary(sample);
        String manifest = serializer.manifest(sample);
        for (int i = 0; i < 300; i++) {
            byte[] mutated = valid.clone();
            int changes = 1 + random.nextInt(4);
            for (int c = 0; c < changes; c++) {
                mutated[random.nextInt(mutated.length)] = (byte) random.nextInt(256);
            }
            readWithin(ALLOCATION_BUDGET, mutated, manifest);
        }
    }
}

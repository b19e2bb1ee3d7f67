package io.mycelium.journal;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.Pool;
import java.io.NotSerializableException;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * Pekko serializer for {@link KryoSerializable} types (events, snapshots, messages between nodes), bound in this
 * module's {@code reference.conf} as {@code mycelium-kryo}.
 *
 * <p>Identifier {@value #IDENTIFIER}: Pekko stores it next to every event, so it must never change; Pekko reserves 0
 * to 40 for itself, and no library on our class path uses this one.
 *
 * <p>Every class written needs a fixed registration id. The application's records and enums are registered in
 * configuration only, with ids of 100 and above:
 *
 * <pre>
 * mycelium.serialization.kryo.registrations {
 *   100 = "io.mycelium.exec.ExecRequested"
 *   101 = "io.mycelium.exec.ExecOutcome"     # nested records and enums need their own id too
 * }
 * </pre>
 *
 * A missing class, an id below 100, the same id twice or a class that is neither a record nor an enum fails the actor
 * system's start. Writing an unregistered class fails with a {@link NotSerializableException} that names it.
 *
 * <p>The built-ins have fixed ids below 100:
 *
 * <table>
 *   <caption>Built-in registrations</caption>
 *   <tr><th>id</th><th>type</th><th>read back as</th></tr>
 *   <tr><td>0-8</td><td>int, String, float, boolean, byte, char, short, long, double (and boxes)</td><td>same</td></tr>
 *   <tr><td>10</td><td>byte[]</td><td>byte[]</td></tr>
 *   <tr><td>11, 12</td><td>java.time.Instant, Duration</td><td>same</td></tr>
 *   <tr><td>13, 14</td><td>java.util.UUID, Optional</td><td>same</td></tr>
 *   <tr><td>20-24</td><td>ArrayList, HashMap, LinkedHashMap, HashSet, LinkedHashSet</td><td>same (mutable)</td></tr>
 *   <tr><td>25</td><td>any other JDK List: List.of, List.copyOf, Stream.toList, Collections.unmodifiableList...</td>
 *       <td>immutable List</td></tr>
 *   <tr><td>26</td><td>any other JDK Set: Set.of, TreeSet...</td><td>immutable Set, in the order written</td></tr>
 *   <tr><td>27</td><td>any other JDK Map: Map.of, TreeMap...</td><td>immutable Map, in the order written</td></tr>
 *   <tr><td>30</td><td>org.apache.pekko.util.ByteString</td><td>compact ByteString</td></tr>
 *   <tr><td>40</td><td>typed ActorRef (through ActorRefResolver)</td><td>typed ActorRef</td></tr>
 *   <tr><td>41</td><td>classic ActorRef</td><td>classic ActorRef</td></tr>
 *   <tr><td>42, 43</td><td>SourceRef, SinkRef (through Pekko's own serializer)</td><td>same</td></tr>
 * </table>
 *
 * <p>Records are written component by component, in the alphabetical order of the component names (Kryo's record
 * serializer); enum constants by name. So moving a component in the source changes nothing, but renaming, adding or
 * removing one changes the format: once events of a record are stored, add a new record with a new id instead.
 * {@code Map.of} and {@code Set.of} iterate in an order that changes from one JVM to the next, and so do their bytes;
 * the values read back are equal.
 *
 * <p>The format of one payload; the manifest is the top-level class's registration id in decimal:
 *
 * <pre>
 * record:     component | component | ...                (by component name, no class id)
 * component:  primitive          its Kryo encoding (varint or fixed width)
 *             final type         null flag | value        (String, byte[]: varint length+1 | bytes)
 *             other type         varint class id + 2 (0 = null) | value
 * </pre>
 *
 * <p>Hostile input: {@link #fromBinary} never allocates more than the payload could hold. Strings, arrays and
 * collections check their declared length against the bytes left before allocating, class names are refused (only
 * ids), nesting is limited to {@value KryoRegistrations#MAX_DEPTH} levels, and every failure, including trailing
 * bytes, is a {@link NotSerializableException} saying what was wrong.
 *
 * <p>Kryo is not thread-safe: each call borrows an instance from a pool.
 */
public final class KryoSerializer extends SerializerWithStringManifest {
    /** This serializer's Pekko identifier, stored with every event: never change it. */
    public static final int IDENTIFIER = 7301;

    private final KryoRegistrations registrations;
    private final Pool<Kryo> pool;

    /**
     * Made by Pekko when the actor system starts.
     *
     * @throws IllegalArgumentException when {@code mycelium.serialization.kryo.registrations} is wrong, which fails the
     *     start of the actor system
     */
    public KryoSerializer(ExtendedActorSystem system) {
        this.registrations = KryoRegistrations.fromConfig(
                system.settings().config(), system.dynamicAccess().classLoader());
        this.pool = new Pool<>(true, false, Runtime.getRuntime().availableProcessors() * 4) {
            @Override
            protected Kryo create() {
                return registrations.newKryo(system);
            }
        };
    }

    @Override
    public int identifier() {
        return IDENTIFIER;
    }

    /** The registration id of {@code o}'s class, in decimal. */
    @Override
    public String manifest(Object o) {
        return Integer.toString(idOf(o));
    }

    /** Kryo's bytes of {@code o}, without its class id (the manifest carries it). */
    @Override
    public byte[] toBinary(Object o) {
        int id = idOf(o);
        Kryo kryo = pool.obtain();
        try {
            Output output = new Output(256, -1);
            kryo.writeObject(output, o);
            return output.toBytes();
        } catch (Exception | StackOverflowError e) {
            kryo.reset();
            throw sneaky(notSerializable(
                    "cannot serialize " + o.getClass().getName() + " (Kryo id " + id + "): " + e.getMessage(), e));
        } finally {
            pool.free(kryo);
        }
    }

    /**
     * Reads what {@link #toBinary} wrote.
     *
     * @throws NotSerializableException when the manifest is not a registered id, or the bytes are not exactly one value
     *     of that class
     */
    @Override
    public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
        int id;
        try {
            id = Integer.parseInt(manifest);
        } catch (NumberFormatException e) {
            throw notSerializable("manifest '" + manifest + "' is not a Kryo registration id", e);
        }
        Class<?> type = registrations.classOf(id);
        if (type == null) {
            throw new NotSerializableException("no class is registered under Kryo id " + id + " in "
                    + KryoRegistrations.CONFIG_PATH + "; ids of stored events must stay registered");
        }
        Input input = new Input(bytes);
        Object value;
        Kryo kryo = pool.obtain();
        try {
            value = kryo.readObject(input, type);
        } catch (Exception | StackOverflowError e) {
            // Exception, not only RuntimeException: Scala code (actor paths, Pekko's serializers) may throw checked
            // ones.
            kryo.reset();
            throw notSerializable(
                    "cannot read " + type.getName() + " (Kryo id " + id + ") from " + bytes.length + " bytes: "
                            + e.getMessage(),
                    e);
        } finally {
            pool.free(kryo);
        }
        if (input.position() != bytes.length) {
            throw new NotSerializableException("cannot read " + type.getName() + " (Kryo id " + id + "): "
                    + (bytes.length - input.position()) + " trailing bytes of " + bytes.length);
        }
        return value;
    }

    private int idOf(Object o) {
        Integer id = registrations.idOf(o.getClass());
        if (id == null) {
            throw sneaky(new NotSerializableException(o.getClass().getName()
                    + " is not registered with the Kryo serializer: add it under " + KryoRegistrations.CONFIG_PATH
                    + " with a free id >= " + KryoRegistrations.FIRST_APPLICATION_ID));
        }
        return id;
    }

    private static NotSerializableException notSerializable(String message, Throwable cause) {
        NotSerializableException e = new NotSerializableException(message);
        e.initCause(cause);
        return e;
    }

    /**
     * Throws a checked exception from a method whose Scala signature declares none. Pekko catches every non-fatal
     * throwable around {@code manifest} and {@code toBinary}, and callers expect the {@link NotSerializableException}
     * that {@code fromBinary} declares.
     */
    @SuppressWarnings("unchecked")
    private static <E extends Throwable> RuntimeException sneaky(Throwable e) throws E {
        throw (E) e;
    }
}

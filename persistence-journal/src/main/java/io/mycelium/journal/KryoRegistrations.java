package io.mycelium.journal;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.io.IOException;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.stream.SinkRef;
import org.apache.pekko.stream.SourceRef;
import org.apache.pekko.util.ByteString;

/**
 * The one place where classes get their Kryo registration ids: the built-ins below {@value #FIRST_APPLICATION_ID},
 * fixed here, and the application's records and enums from {@code mycelium.serialization.kryo.registrations}.
 *
 * <p>Ids are part of every stored event: never change or reuse one. Ids 0 to 8 are Kryo's own (int, String, float,
 * boolean, byte, char, short, long, double, with their boxes); the rest of the built-ins are listed in
 * {@link KryoSerializer} and the module's README.
 */
final class KryoRegistrations {
    /** Where the application's registrations live in the configuration. */
    static final String CONFIG_PATH = "mycelium.serialization.kryo.registrations";

    /** The lowest id the configuration may use; lower ones belong to the built-ins. */
    static final int FIRST_APPLICATION_ID = 100;

    /** Nesting deeper than this is refused: no event needs it, and hostile input would otherwise overflow the stack. */
    static final int MAX_DEPTH = 64;

    private record BuiltIn(int id, Class<?> type, Function<ExtendedActorSystem, Serializer<?>> serializer) {}

    private static final List<BuiltIn> BUILT_INS = List.of(
            new BuiltIn(10, byte[].class, system -> new BoundedSerializers.Bytes()),
            new BuiltIn(11, Instant.class, null),
            new BuiltIn(12, Duration.class, null),
            new BuiltIn(
                    13,
                    UUID.class,
                    system -> new com.esotericsoftware.kryo.serializers.DefaultSerializers.UUIDSerializer()),
            new BuiltIn(14, Optional.class, null),
            new BuiltIn(20, ArrayList.class, system -> new CollectionSerializers.Mutable<>(ArrayList::new)),
            new BuiltIn(21, HashMap.class, system -> new CollectionSerializers.MutableMap<>(HashMap::new)),
            new BuiltIn(22, LinkedHashMap.class, system -> new CollectionSerializers.MutableMap<>(LinkedHashMap::new)),
            new BuiltIn(23, HashSet.class, system -> new CollectionSerializers.Mutable<>(HashSet::new)),
            new BuiltIn(24, LinkedHashSet.class, system -> new CollectionSerializers.Mutable<>(LinkedHashSet::new)),
            new BuiltIn(25, List.class, system -> new CollectionSerializers.ImmutableList()),
            new BuiltIn(26, Set.class, system -> new CollectionSerializers.ImmutableSet()),
            new BuiltIn(27, Map.class, system -> new CollectionSerializers.ImmutableMap()),
            new BuiltIn(30, ByteString.class, system -> new BoundedSerializers.PekkoByteString()),
            new BuiltIn(40, org.apache.pekko.actor.typed.ActorRef.class, PekkoRefSerializers.TypedActorRef::new),
            new BuiltIn(41, org.apache.pekko.actor.ActorRef.class, PekkoRefSerializers.ClassicActorRef::new),
            new BuiltIn(
                    42, SourceRef.class, system -> new PekkoRefSerializers.PekkoSerialized<>(system, SourceRef.class)),
            new BuiltIn(43, SinkRef.class, system -> new PekkoRefSerializers.PekkoSerialized<>(system, SinkRef.class)));

    private final Map<Integer, Class<?>> classById;
    private final Map<Class<?>, Integer> idByClass;

    private KryoRegistrations(Map<Integer, Class<?>> classById) {
        this.classById = Collections.unmodifiableMap(classById);
        Map<Class<?>, Integer> idByClass = new HashMap<>();
        classById.forEach((id, type) -> idByClass.put(type, id));
        this.idByClass = Collections.unmodifiableMap(idByClass);
    }

    /**
     * Reads and checks the application's registrations.
     *
     * @param config the actor system's configuration
     * @param loader loads the registered classes, and finds every {@code reference.conf} to catch two libraries that
     *     claim the same id
     * @throws IllegalArgumentException naming the offending entry: an id that is not a number or below
     *     {@value #FIRST_APPLICATION_ID}, the same id spelled twice, a class that is missing, registered twice, already
     *     a built-in, or neither a record nor an enum
     */
    static KryoRegistrations fromConfig(Config config, ClassLoader loader) {
        checkReferenceConfsAgree(loader);
        Map<Integer, Class<?>> classById = new TreeMap<>();
        Map<Class<?>, Integer> seen = new HashMap<>();
        if (!config.hasPath(CONFIG_PATH)) {
            return new KryoRegistrations(classById);
        }
        for (Map.Entry<String, ConfigValue> entry :
                config.getObject(CONFIG_PATH).entrySet()) {
            String key = entry.getKey();
            String where = CONFIG_PATH + "." + key;
            int id = parseId(key, where);
            if (entry.getValue().valueType() != ConfigValueType.STRING) {
                throw new IllegalArgumentException(where + " must be a fully qualified class name, not "
                        + entry.getValue().render());
            }
            String className = (String) entry.getValue().unwrapped();
            Class<?> type = load(className, loader, where);
            if (classById.containsKey(id)) {
                throw new IllegalArgumentException("duplicate Kryo registration id " + id + ": " + where + " = "
                        + className + " and " + classById.get(id).getName() + "; every id names one class");
            }
            Integer earlier = seen.putIfAbsent(type, id);
            if (earlier != null) {
                throw new IllegalArgumentException(className + " is registered twice, as " + earlier + " and " + id
                        + " under " + CONFIG_PATH + "; keep the id stored events already use");
            }
            if (BUILT_INS.stream().anyMatch(b -> b.type() == type)) {
                throw new IllegalArgumentException(where + ": " + className + " is a built-in of the Kryo serializer"
                        + " (id below " + FIRST_APPLICATION_ID + "); remove the entry");
            }
            if (!type.isRecord() && !type.isEnum()) {
                throw new IllegalArgumentException(where + ": " + className + " is neither a record nor an enum;"
                        + " only those can be registered (their shape is their format), so make it a record");
            }
            classById.put(id, type);
        }
        return new KryoRegistrations(classById);
    }

    private static int parseId(String key, String where) {
        int id;
        try {
            id = Integer.parseInt(key.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    where + ": the key must be a registration id (a number >= " + FIRST_APPLICATION_ID + ")", e);
        }
        if (id < FIRST_APPLICATION_ID) {
            throw new IllegalArgumentException(where + ": ids below " + FIRST_APPLICATION_ID
                    + " are reserved for the Kryo serializer's built-ins; use " + FIRST_APPLICATION_ID + " or above");
        }
        return id;
    }

    private static Class<?> load(String className, ClassLoader loader, String where) {
        try {
            return Class.forName(className, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalArgumentException(
                    where + ": class " + className + " not found; fix the name or remove the entry", e);
        }
    }

    /**
     * Two libraries that each register a class under the same id in their {@code reference.conf} would otherwise be
     * merged silently, the later file winning. An application's own {@code application.conf} may still override an
     * id on purpose.
     */
    private static void checkReferenceConfsAgree(ClassLoader loader) {
        Map<Integer, String> classById = new HashMap<>();
        Map<Integer, URL> fileById = new HashMap<>();
        List<URL> files;
        try {
            files = Collections.list(loader.getResources("reference.conf"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot list the reference.conf files on the class path", e);
        }
        for (URL file : files) {
            ConfigObject registrations = registrationsIn(file);
            if (registrations == null) {
                continue;
            }
            for (Map.Entry<String, ConfigValue> entry : registrations.entrySet()) {
                String className;
                int id;
                try {
                    id = Integer.parseInt(entry.getKey().trim());
                    className = String.valueOf(entry.getValue().unwrapped());
                } catch (NumberFormatException | ConfigException e) {
                    continue; // reported with its key when the merged configuration is read
                }
                String earlier = classById.putIfAbsent(id, className);
                if (earlier != null && !earlier.equals(className)) {
                    throw new IllegalArgumentException("duplicate Kryo registration id " + id + " under " + CONFIG_PATH
                            + ": " + earlier + " in " + fileById.get(id) + " and " + className + " in " + file
                            + "; every id names one class, give one of them a free id");
                }
                fileById.putIfAbsent(id, file);
            }
        }
    }

    private static ConfigObject registrationsIn(URL file) {
        try {
            ConfigValue value = ConfigFactory.parseURL(file).root();
            for (String segment : CONFIG_PATH.split("\\.")) {
                if (!(value instanceof ConfigObject object) || !object.containsKey(segment)) {
                    return null;
                }
                value = object.get(segment);
            }
            return value instanceof ConfigObject object ? object : null;
        } catch (ConfigException e) {
            return null; // not ours to judge; Pekko reports a broken reference.conf itself
        }
    }

    /** The id of an application class, or null when it is not registered. */
    Integer idOf(Class<?> type) {
        return idByClass.get(type);
    }

    /** The application class registered under {@code id}, or null. */
    Class<?> classOf(int id) {
        return classById.get(id);
    }

    /** A new Kryo with the built-ins and the application's registrations, registration required. Not thread-safe. */
    Kryo newKryo(ExtendedActorSystem system) {
        FamilyClassResolver resolver = new FamilyClassResolver();
        Kryo kryo = new ApplicationKryo(resolver);
        kryo.setRegistrationRequired(true);
        kryo.setReferences(false);
        kryo.setMaxDepth(MAX_DEPTH);
        // Kryo's String serializer allocates the declared length before reading; keep Kryo's id (1), bound the read.
        kryo.register(String.class, new BoundedSerializers.Utf8String());
        for (BuiltIn builtIn : BUILT_INS) {
            if (builtIn.serializer() == null) {
                kryo.register(builtIn.type(), builtIn.id());
            } else {
                kryo.register(builtIn.type(), builtIn.serializer().apply(system), builtIn.id());
            }
        }
        // Implementation classes of these types are written and read as the type itself (see FamilyClassResolver).
        resolver.addFamily(org.apache.pekko.actor.typed.ActorRef.class, false);
        resolver.addFamily(org.apache.pekko.actor.ActorRef.class, false);
        resolver.addFamily(SourceRef.class, false);
        resolver.addFamily(SinkRef.class, false);
        resolver.addFamily(ByteString.class, false);
        resolver.addFamily(List.class, true);
        resolver.addFamily(Set.class, true);
        resolver.addFamily(Map.class, true);
        classById.forEach((id, type) -> kryo.register(type, serializerFor(kryo, type), id));
        return kryo;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Serializer<?> serializerFor(Kryo kryo, Class<?> type) {
        if (type.isEnum()) {
            return new BoundedSerializers.EnumByName(type);
        }
        return kryo.getDefaultSerializer(type); // Kryo's RecordSerializer: components in order of their names
    }

    /** Kryo whose refusal of an unregistered class says where to register it. */
    private static final class ApplicationKryo extends Kryo {
        ApplicationKryo(FamilyClassResolver resolver) {
            super(resolver, null);
        }

        @Override
        @SuppressWarnings("rawtypes") // Kryo's signature
        protected String unregisteredClassMessage(Class type) {
            return "class " + type.getName() + " is not registered with the Kryo serializer: add it under "
                    + CONFIG_PATH + " with a free id >= " + FIRST_APPLICATION_ID + " (for example "
                    + FIRST_APPLICATION_ID + " = \"" + type.getName() + "\"); only records and enums can be registered";
        }
    }
}

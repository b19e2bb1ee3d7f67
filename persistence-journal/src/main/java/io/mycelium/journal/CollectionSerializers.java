package io.mycelium.journal;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Lists, sets and maps. Every element is written with its class id, so an element may be any registered type or null.
 *
 * <pre>
 * collection:  varint count | count x (class id | element)
 * map:         varint count | count x (class id | key | class id | value)
 * </pre>
 *
 * <p>The count is checked against the bytes left (an element takes at least one byte, an entry two) and containers
 * are not pre-sized from it: they grow as elements actually arrive, so what a reader allocates stays proportional to
 * the bytes it consumed, even for a chain of nested collections that each declare a large count.
 *
 * <p>Mutable types registered by name ({@code ArrayList}, {@code HashMap}, ...) are read back as the same type. Any
 * other JDK list, set or map ({@code List.of}, {@code List.copyOf}, {@code Set.of}, {@code Map.of},
 * {@code Collections.unmodifiable*}, {@code Stream.toList()}, {@code TreeMap}, ...) is read back as an immutable copy
 * that keeps the order the writer iterated in, so reading and writing again yields the same bytes.
 */
final class CollectionSerializers {
    private CollectionSerializers() {}

    private static void writeElements(Kryo kryo, Output output, Collection<?> collection) {
        output.writeVarInt(collection.size(), true);
        for (Object element : collection) {
            kryo.writeClassAndObject(output, element);
        }
    }

    private static <C extends Collection<Object>> C readElements(Kryo kryo, Input input, C into, String what) {
        int count = DeclaredLengthException.check(input, input.readVarInt(true), 1, what);
        for (int i = 0; i < count; i++) {
            into.add(kryo.readClassAndObject(input));
        }
        return into;
    }

    private static void writeEntries(Kryo kryo, Output output, Map<?, ?> map) {
        output.writeVarInt(map.size(), true);
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            kryo.writeClassAndObject(output, entry.getKey());
            kryo.writeClassAndObject(output, entry.getValue());
        }
    }

    private static <M extends Map<Object, Object>> M readEntries(Kryo kryo, Input input, M into, String what) {
        int count = DeclaredLengthException.check(input, input.readVarInt(true), 2, what);
        for (int i = 0; i < count; i++) {
            Object key = kryo.readClassAndObject(input);
            into.put(key, kryo.readClassAndObject(input));
        }
        return into;
    }

    /** A mutable collection read back as the same type ({@code ArrayList}, {@code HashSet}, ...). */
    static final class Mutable<C extends Collection<Object>> extends Serializer<C> {
        private final Supplier<C> factory;

        Mutable(Supplier<C> factory) {
            this.factory = factory;
        }

        @Override
        public void write(Kryo kryo, Output output, C collection) {
            writeElements(kryo, output, collection);
        }

        @Override
        public C read(Kryo kryo, Input input, Class<? extends C> type) {
            return readElements(kryo, input, factory.get(), type.getSimpleName());
        }
    }

    /** A mutable map read back as the same type ({@code HashMap}, {@code LinkedHashMap}). */
    static final class MutableMap<M extends Map<Object, Object>> extends Serializer<M> {
        private final Supplier<M> factory;

        MutableMap(Supplier<M> factory) {
            this.factory = factory;
        }

        @Override
        public void write(Kryo kryo, Output output, M map) {
            writeEntries(kryo, output, map);
        }

        @Override
        public M read(Kryo kryo, Input input, Class<? extends M> type) {
            return readEntries(kryo, input, factory.get(), type.getSimpleName());
        }
    }

    /** Any other JDK list, read back immutable: {@code List.copyOf}, or an unmodifiable list when it holds nulls. */
    static final class ImmutableList extends Serializer<List<Object>> {
        ImmutableList() {
            super(false, true);
        }

        @Override
        public void write(Kryo kryo, Output output, List<Object> list) {
            writeElements(kryo, output, list);
        }

        @Override
        public List<Object> read(Kryo kryo, Input input, Class<? extends List<Object>> type) {
            List<Object> elements = readElements(kryo, input, new ArrayList<>(), "list");
            // List.copyOf refuses nulls, which Arrays.asList and Stream.toList allow.
            return elements.stream().anyMatch(Objects::isNull)
                    ? Collections.unmodifiableList(elements)
                    : List.copyOf(elements);
        }
    }

    /** Any other JDK set, read back as an unmodifiable set in the order it was written. */
    static final class ImmutableSet extends Serializer<Set<Object>> {
        ImmutableSet() {
            super(false, true);
        }

        @Override
        public void write(Kryo kryo, Output output, Set<Object> set) {
            writeElements(kryo, output, set);
        }

        @Override
        public Set<Object> read(Kryo kryo, Input input, Class<? extends Set<Object>> type) {
            return Collections.unmodifiableSet(readElements(kryo, input, new LinkedHashSet<>(), "set"));
        }
    }

    /** Any other JDK map, read back as an unmodifiable map in the order it was written. */
    static final class ImmutableMap extends Serializer<Map<Object, Object>> {
        ImmutableMap() {
            super(false, true);
        }

        @Override
        public void write(Kryo kryo, Output output, Map<Object, Object> map) {
            writeEntries(kryo, output, map);
        }

        @Override
        public Map<Object, Object> read(Kryo kryo, Input input, Class<? extends Map<Object, Object>> type) {
            return Collections.unmodifiableMap(readEntries(kryo, input, new LinkedHashMap<>(), "map"));
        }
    }
}

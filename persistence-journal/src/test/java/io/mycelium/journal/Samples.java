package io.mycelium.journal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.util.ByteString;

/** Records holding every built-in type, and a seeded generator of them (registered in journal-test.conf). */
final class Samples {
    private Samples() {}

    enum Color implements KryoSerializable {
        RED,
        GREEN,
        BLUE
    }

    record Inner(String name, Color color) implements KryoSerializable {}

    /** One of everything; byte[] makes the record's own equals useless, so tests compare recursively. */
    record Everything(
            String text,
            byte[] bytes,
            int anInt,
            long aLong,
            Integer boxedInt,
            Long boxedLong,
            Boolean boxedBoolean,
            Double boxedDouble,
            Float boxedFloat,
            Short boxedShort,
            Byte boxedByte,
            Character boxedChar,
            Instant instant,
            Duration duration,
            UUID uuid,
            Optional<String> maybeText,
            Optional<Inner> maybeInner,
            List<String> listOf,
            List<Inner> copiedList,
            Set<String> setOf,
            Map<String, Integer> mapOf,
            ArrayList<String> arrayList,
            LinkedHashMap<String, Long> linkedHashMap,
            HashMap<String, Object> hashMap,
            ByteString byteString,
            Color color,
            Inner inner,
            List<Object> mixed)
            implements KryoSerializable {}

    /** One value of any type: the hostile-input tests aim declared lengths at it. */
    record Holder(Object value) implements KryoSerializable {}

    record WithRefs(ActorRef<String> typed, org.apache.pekko.actor.ActorRef classic, List<ActorRef<String>> more)
            implements KryoSerializable {}

    /** A fixed sample whose bytes do not depend on the JVM (no Set.of or Map.of with more than one element). */
    static Everything fixed() {
        LinkedHashMap<String, Long> linked = new LinkedHashMap<>();
        linked.put("z", 26L);
        linked.put("a", 1L);
        HashMap<String, Object> hashMap = new HashMap<>();
        hashMap.put("count", 3);
        hashMap.put("none", null);
        hashMap.put("nested", List.of("x", "y"));
        TreeMap<String, Integer> sorted = new TreeMap<>(Map.of("b", 2, "a", 1));
        return new Everything(
                "h\u00e9llo, w\u00f6rld \uD83C\uDF44",
                new byte[] {0, 1, 2, (byte) 0xff},
                -42,
                Long.MAX_VALUE,
                7,
                -7L,
                true,
                3.25,
                -0.5f,
                (short) 300,
                (byte) -3,
                'm',
                Instant.parse("2025-01-02T03:04:05.123456789Z"),
                Duration.ofMillis(1500),
                UUID.fromString("123e4567-e89b-12d3-a456-426614174000"),
                Optional.of("present"),
                Optional.empty(),
                List.of("one", "two", "three"),
                List.copyOf(List.of(new Inner("a", Color.RED), new Inner("b", Color.BLUE))),
                Set.of("only"),
                Map.of("k", 1),
                new ArrayList<>(List.of("p", "q")),
                linked,
                hashMap,
                ByteString.fromString("bytes"),
                Color.GREEN,
                new Inner(null, Color.RED),
                Arrays.asList(
                        1,
                        null,
                        "two",
                        List.of(3L),
                        sorted,
                        Collections.unmodifiableList(new ArrayList<>(List.of(4))),
                        Set.of(5),
                        Optional.of(6)));
    }

    /** A random sample: sizes, nulls where a type allows them, and text outside ASCII. */
    static Everything random(Random random) {
        return new Everything(
                random.nextInt(5) == 0 ? null : text(random),
                bytes(random),
                random.nextInt(),
                random.nextLong(),
                random.nextInt(5) == 0 ? null : random.nextInt(),
                random.nextLong(),
                random.nextBoolean(),
                random.nextDouble(),
                random.nextFloat(),
                (short) random.nextInt(),
                (byte) random.nextInt(),
                (char) random.nextInt(0xd800),
                Instant.ofEpochSecond(random.nextLong(-1L << 40, 1L << 40), random.nextInt(1_000_000_000)),
                Duration.ofSeconds(random.nextLong(1L << 40), random.nextInt(1_000_000_000)),
                new UUID(random.nextLong(), random.nextLong()),
                random.nextBoolean() ? Optional.empty() : Optional.of(text(random)),
                random.nextBoolean() ? Optional.empty() : Optional.of(inner(random)),
                List.of(texts(random).toArray(String[]::new)),
                List.copyOf(inners(random)),
                Set.copyOf(texts(random)),
                mapOf(random),
                new ArrayList<>(texts(random)),
                linkedHashMap(random),
                hashMap(random),
                ByteString.fromArray(bytes(random)),
                Color.values()[random.nextInt(Color.values().length)],
                inner(random),
                mixed(random, 2));
    }

    private static String text(Random random) {
        StringBuilder text = new StringBuilder();
        int length = random.nextInt(12);
        for (int i = 0; i < length; i++) {
            text.appendCodePoint(
                    switch (random.nextInt(4)) {
                        case 0 -> 'a' + random.nextInt(26);
                        case 1 -> 0xa0 + random.nextInt(0x700);
                        case 2 -> 0x1f300 + random.nextInt(0x100); // outside the BMP: a surrogate pair in Java
                        default -> ' ' + random.nextInt(95);
                    });
        }
        return text.toString();
    }

    private static byte[] bytes(Random random) {
        byte[] bytes = new byte[random.nextInt(40)];
        random.nextBytes(bytes);
        return bytes;
    }

    private static List<String> texts(Random random) {
        List<String> texts = new ArrayList<>();
        int count = random.nextInt(6);
        for (int i = 0; i < count; i++) {
            texts.add(text(random));
        }
        return texts;
    }

    private static Inner inner(Random random) {
        return new Inner(
                random.nextInt(4) == 0 ? null : text(random), Color.values()[random.nextInt(Color.values().length)]);
    }

    private static List<Inner> inners(Random random) {
        List<Inner> inners = new ArrayList<>();
        int count = random.nextInt(4);
        for (int i = 0; i < count; i++) {
            inners.add(inner(random));
        }
        return inners;
    }

    private static Map<String, Integer> mapOf(Random random) {
        Map<String, Integer> map = new HashMap<>();
        for (String key : texts(random)) {
            map.put(key, random.nextInt());
        }
        return Map.copyOf(map);
    }

    private static LinkedHashMap<String, Long> linkedHashMap(Random random) {
        LinkedHashMap<String, Long> map = new LinkedHashMap<>();
        for (String key : texts(random)) {
            map.put(key, random.nextBoolean() ? null : random.nextLong());
        }
        return map;
    }

    private static HashMap<String, Object> hashMap(Random random) {
        HashMap<String, Object> map = new HashMap<>();
        for (String key : texts(random)) {
            map.put(key, random.nextBoolean() ? inner(random) : text(random));
        }
        return map;
    }

    /** A list of anything, nested up to {@code depth} levels. */
    private static List<Object> mixed(Random random, int depth) {
        List<Object> list = new ArrayList<>();
        int count = random.nextInt(6);
        for (int i = 0; i < count; i++) {
            int choice = random.nextInt(depth > 0 ? 9 : 6);
            list.add(
                    switch (choice) {
                        case 0 -> null;
                        case 1 -> random.nextLong();
                        case 2 -> text(random);
                        case 3 -> inner(random);
                        case 4 -> bytes(random);
                        case 5 -> Color.BLUE;
                        case 6 -> mixed(random, depth - 1);
                        case 7 -> Collections.unmodifiableList(mixed(random, depth - 1));
                        default -> Map.of(text(random), mixed(random, depth - 1));
                    });
        }
        return random.nextBoolean() ? list : Collections.unmodifiableList(list);
    }
}

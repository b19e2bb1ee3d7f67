package io.mycelium.wire;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.util.DefaultClassResolver;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one place where message classes get their Kryo registration ids. Ids are part of the protocol: never change or
 * reuse one; add new messages with new ids and bump {@link #PROTOCOL_VERSION} when the meaning of an exchange changes.
 * Both sides compare {@link #hash()} in the handshake, so a registry that drifted is caught before any payload.
 */
public final class MessageRegistry {
    /** Version of the exchanges described in docs/protocol.md. */
    public static final int PROTOCOL_VERSION = 2;

    private static final Map<Integer, Class<?>> IDS = ids();
    private static final String HASH = computeHash();

    private MessageRegistry() {}

    private static Map<Integer, Class<?>> ids() {
        Map<Integer, Class<?>> ids = new LinkedHashMap<>();
        ids.put(20, Message.Hello.class);
        ids.put(21, Message.Ping.class);
        ids.put(22, Message.Pong.class);
        ids.put(23, Message.Goodbye.class);
        ids.put(30, Message.ExecStart.class);
        ids.put(31, Message.ExecStarted.class);
        ids.put(32, Message.StdinData.class);
        ids.put(33, Message.StdinEof.class);
        ids.put(34, Message.Output.class);
        ids.put(35, Message.Exited.class);
        ids.put(36, Message.Cancel.class);
        ids.put(40, Message.PutStart.class);
        ids.put(41, Message.GetStart.class);
        ids.put(42, Message.EntryHeader.class);
        ids.put(43, Message.FileChunk.class);
        ids.put(44, Message.EntryEnd.class);
        ids.put(45, Message.TransferEnd.class);
        ids.put(46, Message.TransferDone.class);
        ids.put(50, Message.CreditGrant.class);
        ids.put(51, Message.Failure.class);
        ids.put(52, Message.RemoteCause.class);
        ids.put(60, Message.Channel.class);
        ids.put(61, Message.EntryType.class);
        ids.put(62, ErrorCode.class);
        ids.put(70, byte[].class);
        ids.put(71, String[].class);
        ids.put(72, Message.RemoteCause[].class);
        ids.put(80, Message.ChildStart.class);
        return ids;
    }

    /** A Kryo instance with every message registered and registration required. Kryo is not thread-safe. */
    public static Kryo newKryo() {
        Kryo kryo = new Kryo(new RegisteredIdsOnly(), null);
        kryo.setRegistrationRequired(true);
        kryo.setReferences(false);
        // Kryo's own String, byte[] and array serializers allocate whatever length the input declares; these check
        // the length against the bytes actually present first.
        kryo.register(String.class, new BoundedSerializers.Utf8String());
        IDS.forEach((id, type) -> kryo.register(type, serializerFor(kryo, type), id));
        return kryo;
    }

    /**
     * Refuses a class given by name instead of by id. Kryo reads such a name (class id 1) even when registration is
     * required, as a string whose declared length it allocates before checking the input holds it: a few hostile bytes
     * could make it allocate gigabytes.
     */
    private static final class RegisteredIdsOnly extends DefaultClassResolver {
        @Override
        protected Registration readName(Input input) {
            throw new KryoException("class given by name instead of a registered id");
        }
    }

    private static Serializer<?> serializerFor(Kryo kryo, Class<?> type) {
        if (type == byte[].class) {
            return new BoundedSerializers.Bytes();
        }
        if (type.isArray()) {
            return new BoundedSerializers.ObjectArray<>(type.getComponentType());
        }
        return kryo.getDefaultSerializer(type);
    }

    /** sha256 over every id, class and record component, hex encoded. */
    public static String hash() {
        return HASH;
    }

    private static String computeHash() {
        StringBuilder text = new StringBuilder();
        IDS.forEach((id, type) -> {
            text.append(id).append('=').append(type.getSimpleName());
            if (type.isRecord()) {
                for (RecordComponent c : type.getRecordComponents()) {
                    text.append(' ')
                            .append(c.getName())
                            .append(':')
                            .append(c.getType().getSimpleName());
                }
            } else if (type.isEnum()) {
                for (Object constant : type.getEnumConstants()) {
                    text.append(' ').append(constant);
                }
            }
            text.append('\n');
        });
        try {
            byte[] digest =
                    MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}

package io.mycelium.journal;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;

/**
 * Pekko's references, which only mean something inside an actor system: actor refs travel as their path, stream refs
 * through Pekko's own serializer for them.
 *
 * <pre>
 * typed or classic ActorRef:  String (the path with the system's address)
 * SourceRef, SinkRef:         varint Pekko serializer id | String manifest | byte[] (Pekko's bytes)
 * </pre>
 */
final class PekkoRefSerializers {
    private PekkoRefSerializers() {}

    /** A typed {@code ActorRef}, through {@link ActorRefResolver}. */
    static final class TypedActorRef extends Serializer<org.apache.pekko.actor.typed.ActorRef<?>> {
        private final ExtendedActorSystem system;

        TypedActorRef(ExtendedActorSystem system) {
            super(false, true);
            this.system = system;
        }

        // Looked up on use: the serializer is made while the actor system starts, before its extensions may be.
        private ActorRefResolver resolver() {
            return ActorRefResolver.get(Adapter.toTyped(system));
        }

        @Override
        public void write(Kryo kryo, Output output, org.apache.pekko.actor.typed.ActorRef<?> ref) {
            BoundedSerializers.writeString(output, resolver().toSerializationFormat(ref));
        }

        @Override
        public org.apache.pekko.actor.typed.ActorRef<?> read(
                Kryo kryo, Input input, Class<? extends org.apache.pekko.actor.typed.ActorRef<?>> type) {
            return resolver().resolveActorRef(requiredString(input, "typed ActorRef"));
        }
    }

    /** A classic {@code ActorRef}, as Pekko's own serializers write it. */
    static final class ClassicActorRef extends Serializer<org.apache.pekko.actor.ActorRef> {
        private final ExtendedActorSystem system;

        ClassicActorRef(ExtendedActorSystem system) {
            super(false, true);
            this.system = system;
        }

        @Override
        public void write(Kryo kryo, Output output, org.apache.pekko.actor.ActorRef ref) {
            BoundedSerializers.writeString(output, Serialization.serializedActorPath(ref));
        }

        @Override
        public org.apache.pekko.actor.ActorRef read(
                Kryo kryo, Input input, Class<? extends org.apache.pekko.actor.ActorRef> type) {
            return system.provider().resolveActorRef(requiredString(input, "classic ActorRef"));
        }
    }

    /**
     * A value Pekko serializes itself ({@code SourceRef}, {@code SinkRef}): its serializer id, manifest and bytes. On
     * reading, only the serializer Pekko binds to {@code family} is accepted, so the input cannot pick another one
     * (Java serialization, say) and only an instance of {@code family} comes out.
     */
    static final class PekkoSerialized<T> extends Serializer<T> {
        private final ExtendedActorSystem system;
        private final Class<T> family;

        PekkoSerialized(ExtendedActorSystem system, Class<T> family) {
            super(false, true);
            this.system = system;
            this.family = family;
        }

        @Override
        public void write(Kryo kryo, Output output, T value) {
            org.apache.pekko.serialization.Serializer serializer =
                    SerializationExtension.get(system).findSerializerFor(value);
            output.writeVarInt(serializer.identifier(), false);
            BoundedSerializers.writeString(output, Serializers.manifestFor(serializer, value));
            BoundedSerializers.writeBytes(output, serializer.toBinary(value));
        }

        @Override
        public T read(Kryo kryo, Input input, Class<? extends T> type) {
            int serializerId = input.readVarInt(false);
            String manifest = requiredString(input, family.getSimpleName() + " manifest");
            byte[] bytes = BoundedSerializers.readBytes(input, family.getSimpleName());
            if (bytes == null) {
                throw new KryoException("null bytes for a " + family.getSimpleName());
            }
            Serialization serialization = SerializationExtension.get(system);
            int expected;
            try {
                expected = serialization.serializerFor(family).identifier();
            } catch (java.io.NotSerializableException e) {
                throw new KryoException("Pekko has no serializer bound to " + family.getName(), e);
            }
            if (serializerId != expected) {
                throw new KryoException("a " + family.getSimpleName() + " must come from Pekko serializer " + expected
                        + ", not " + serializerId);
            }
            Object value =
                    serialization.deserialize(bytes, serializerId, manifest).get();
            if (!family.isInstance(value)) {
                throw new KryoException("Pekko serializer " + serializerId + " made a "
                        + value.getClass().getName() + ", not a " + family.getName());
            }
            return family.cast(value);
        }
    }

    private static String requiredString(Input input, String what) {
        String value = BoundedSerializers.readString(input);
        if (value == null) {
            throw new KryoException("null " + what + " in a non-null position");
        }
        return value;
    }
}

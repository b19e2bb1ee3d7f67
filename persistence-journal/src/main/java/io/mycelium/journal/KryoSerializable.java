package io.mycelium.journal;

/**
 * Marks a type that Pekko serializes with {@link KryoSerializer}: events, snapshots and messages between nodes.
 *
 * <p>The binding lives in this module's {@code reference.conf}. Implementing this interface is not enough on its own:
 * the concrete class must also have a registration id under {@code mycelium.serialization.kryo.registrations} (see
 * {@link KryoSerializer}), and so must every record or enum it contains. Implementations should be records or enums,
 * as only those can be registered.
 */
public interface KryoSerializable {}

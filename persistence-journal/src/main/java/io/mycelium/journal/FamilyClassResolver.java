package io.mycelium.journal;

import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.util.DefaultClassResolver;
import java.util.ArrayList;
import java.util.List;

/**
 * Kryo's class resolver with two changes.
 *
 * <ul>
 *   <li>Implementation classes that are not registered themselves use the registration of their <em>family</em>: any
 *       JDK {@code List} ({@code List.of}'s hidden classes, {@code Collections.unmodifiableList}, ...) that of
 *       {@code java.util.List}, any {@code ByteString} that of {@code ByteString}, any typed {@code ActorRef} that of
 *       the interface. The classes behind them are JDK or Pekko internals that differ between versions; the family's
 *       serializer writes the value, and reads it back as the family's type.
 *   <li>A class given by name rather than id (Kryo's class id 1) is refused. Kryo would read that name, even with
 *       registration required, as a string whose declared length it allocates before checking that the input holds it.
 * </ul>
 */
final class FamilyClassResolver extends DefaultClassResolver {
    /** Families in the order they are tried: the first whose type is assignable from the class wins. */
    private final List<Family> families = new ArrayList<>();

    private record Family(Class<?> type, boolean jdkOnly) {
        boolean contains(Class<?> candidate) {
            return type.isAssignableFrom(candidate) && (!jdkOnly || candidate.getModule() == Object.class.getModule());
        }
    }

    /**
     * Adds a family; {@code type} must be registered by the time a member is first written.
     *
     * @param jdkOnly only classes of the {@code java.base} module belong to the family: an application's own
     *     {@code List} subclass must not be silently turned into an immutable list
     */
    void addFamily(Class<?> type, boolean jdkOnly) {
        families.add(new Family(type, jdkOnly));
    }

    @Override
    @SuppressWarnings("rawtypes") // Kryo's signature
    public Registration getRegistration(Class type) {
        Registration registration = super.getRegistration(type);
        if (registration != null || type.isArray() || type.isPrimitive()) {
            return registration;
        }
        for (Family family : families) {
            if (family.contains(type)) {
                registration = super.getRegistration(family.type());
                if (registration != null) {
                    // Remembered, so the next lookup of this class is one map access.
                    classToRegistration.put(type, registration);
                }
                return registration;
            }
        }
        return null;
    }

    @Override
    protected Registration readName(Input input) {
        throw new KryoException("class given by name instead of a registered id");
    }
}

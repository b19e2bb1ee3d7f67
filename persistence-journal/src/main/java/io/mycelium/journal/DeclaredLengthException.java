package io.mycelium.journal;

import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;

/**
 * A length or count read from the input is larger than the bytes left in it could possibly hold. Thrown before
 * anything of that size is allocated, so a few hostile bytes cannot make a reader allocate gigabytes.
 */
final class DeclaredLengthException extends KryoException {
    private DeclaredLengthException(String message) {
        super(message);
    }

    /**
     * Returns {@code declared} when the rest of {@code input} can hold that many items of at least
     * {@code minBytesEach} bytes each; throws otherwise.
     *
     * @param what what is being read, for the message ("byte[]", "String", "list")
     */
    static int check(Input input, int declared, int minBytesEach, String what) {
        long remaining = (long) input.limit() - input.position();
        if (declared < 0) {
            throw new DeclaredLengthException("negative length " + declared + " declared for a " + what);
        }
        long needed = (long) declared * minBytesEach;
        if (needed > remaining) {
            throw new DeclaredLengthException("declared length " + declared + " of a " + what + " needs at least "
                    + needed + " bytes, " + (needed - remaining) + " more than the " + remaining + " left");
        }
        return declared;
    }
}

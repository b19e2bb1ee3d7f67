package io.mycelium.mesh.spore;

/**
 * A spore was refused. Each refusal has its own subclass and a stable {@link #code()}, so that callers (the CLI, the
 * repo's HTTP upload, a node agent) can say exactly what was wrong.
 */
public abstract sealed class SporeException extends RuntimeException {
    private final String code;

    SporeException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** The stable error code, e.g. {@code spore_bad_signature}. */
    public String code() {
        return code;
    }

    /** An entry's name would land outside the extraction directory (absolute, or with {@code ..}). */
    public static final class UnsafeEntry extends SporeException {
        UnsafeEntry(String name) {
            super("spore_unsafe_entry", "the spore has an entry whose path escapes its directory: " + name, null);
        }
    }

    /** An entry that a spore does not hold (anything but manifest.json and binary, or one of them twice). */
    public static final class UnexpectedEntry extends SporeException {
        UnexpectedEntry(String name, String why) {
            super("spore_unexpected_entry", "the spore has an unexpected entry " + name + ": " + why, null);
        }
    }

    /** An entry, or the binary given to pack, is larger than the configured limit. */
    public static final class EntryTooLarge extends SporeException {
        EntryTooLarge(String name, long limit) {
            super("spore_entry_too_large", name + " is larger than the limit of " + limit + " bytes", null);
        }
    }

    /** manifest.json or binary is missing (from the zip, or the files given to pack). */
    public static final class MissingEntry extends SporeException {
        MissingEntry(String message) {
            super("spore_missing_entry", message, null);
        }
    }

    /** The file is not a zip, or manifest.json is not a valid manifest. */
    public static final class Malformed extends SporeException {
        Malformed(String message, Throwable cause) {
            super("spore_malformed", message, cause);
        }
    }

    /** The binary's sha256 is not the one the manifest records. */
    public static final class HashMismatch extends SporeException {
        HashMismatch(String expected, String actual) {
            super(
                    "spore_hash_mismatch",
                    "the binary's sha256 is " + actual + " but the manifest records " + expected,
                    null);
        }
    }

    /** The signature does not verify with the manifest's public key. */
    public static final class BadSignature extends SporeException {
        BadSignature(String why) {
            super("spore_bad_signature", "the spore's signature does not verify: " + why, null);
        }
    }

    /** The signing key is not on the configured trust list. */
    public static final class UntrustedKey extends SporeException {
        UntrustedKey(String publicKey) {
            super("spore_untrusted_key", "the spore is signed by a key outside the trust list: " + publicKey, null);
        }
    }

    /** A key file could not be read or written. */
    public static final class KeyUnusable extends SporeException {
        KeyUnusable(String message, Throwable cause) {
            super("spore_key_unusable", message, cause);
        }
    }
}

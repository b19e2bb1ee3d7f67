package io.mycelium.mesh.repo;

/** The repo could not provide a spore. */
public abstract sealed class RepoException extends RuntimeException {
    private final String code;

    RepoException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** The stable error code. */
    public String code() {
        return code;
    }

    /** Neither this node nor any peer has the digest. */
    public static final class NotFound extends RepoException {
        NotFound(String digest, String why) {
            super("spore_not_found", "no node has the spore " + digest + why, null);
        }
    }

    /** Bytes claimed to be a digest hash to something else (a peer sent the wrong file, or it was cut short). */
    public static final class DigestMismatch extends RepoException {
        DigestMismatch(String expected, String actual, String source) {
            super(
                    "spore_digest_mismatch",
                    "the spore from " + source + " has sha256 " + actual + ", not the requested " + expected,
                    null);
        }
    }
}

package io.mycelium.api.identity;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The bearer tokens the admin API accepts, each for a principal, kept only as SHA-256 digests so that the
 * configuration holds no secret.
 *
 * <p>A presented token is hashed and compared with every digest by {@link MessageDigest#isEqual}, which takes the
 * same time whatever the bytes, and the loop does not stop at a match: the time taken tells nothing about how close
 * a guess was or which entry it matched. Tokens are never logged or kept. A principal may have several tokens (to
 * rotate one without downtime).
 */
public final class BearerTokens {

    /**
     * One accepted token.
     *
     * @param principal the principal name the token authenticates as
     * @param sha256 the SHA-256 of the token's UTF-8 bytes
     */
    public record Entry(String principal, byte[] sha256) {
        public Entry {
            if (principal == null || principal.isBlank()) {
                throw new IllegalArgumentException("a bearer token needs a principal name");
            }
            if (sha256 == null || sha256.length != 32) {
                throw new IllegalArgumentException(
                        "the digest of the token of '" + principal + "' must be a SHA-256 (32 bytes)");
            }
            sha256 = sha256.clone();
        }

        /**
         * An entry from the hex digest an operator configures ({@code printf %s "$TOKEN" | sha256sum}).
         *
         * @throws IllegalArgumentException if the digest is not 64 hex digits
         */
        public static Entry ofHex(String principal, String sha256Hex) {
            String hex = sha256Hex == null ? "" : sha256Hex.trim().toLowerCase(Locale.ROOT);
            if (!hex.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("the sha256 of the token of '" + principal
                        + "' must be 64 hex digits (printf %s \"$TOKEN\" | sha256sum)");
            }
            return new Entry(principal, HexFormat.of().parseHex(hex));
        }

        @Override
        public byte[] sha256() {
            return sha256.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Entry e && principal.equals(e.principal) && MessageDigest.isEqual(sha256, e.sha256);
        }

        @Override
        public int hashCode() {
            return principal.hashCode();
        }

        /** Names the principal only: a digest of a weak token could be brute-forced from a log. */
        @Override
        public String toString() {
            return "BearerTokens.Entry[" + principal + "]";
        }
    }

    private final List<Entry> entries;

    private BearerTokens(List<Entry> entries) {
        this.entries = entries;
    }

    /**
     * The given tokens.
     *
     * @throws IllegalArgumentException if two principals share a digest, which would make the principal ambiguous
     */
    public static BearerTokens of(List<Entry> entries) {
        List<Entry> copy = List.copyOf(entries);
        for (int i = 0; i < copy.size(); i++) {
            for (int j = i + 1; j < copy.size(); j++) {
                if (MessageDigest.isEqual(copy.get(i).sha256, copy.get(j).sha256)) {
                    throw new IllegalArgumentException("principals '"
                            + copy.get(i).principal() + "' and '" + copy.get(j).principal() + "' have the same token");
                }
            }
        }
        return new BearerTokens(copy);
    }

    /** No token is accepted. */
    public static BearerTokens none() {
        return new BearerTokens(List.of());
    }

    /**
     * The principal a token was configured for, or empty if no configured digest matches (or the token is empty).
     */
    public Optional<Principal> authenticate(String token) {
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        byte[] digest = sha256(token);
        Entry match = null;
        for (Entry entry : entries) {
            // No early exit: every entry costs the same, so timing cannot reveal which one matched.
            if (MessageDigest.isEqual(entry.sha256, digest) && match == null) {
                match = entry;
            }
        }
        return match == null ? Optional.empty() : Optional.of(Principal.token(match.principal()));
    }

    /** The hex SHA-256 of a token, as the configuration expects it. */
    public static String sha256Hex(String token) {
        return HexFormat.of().formatHex(sha256(token));
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** The principal names that have a token, for diagnostics. */
    public List<String> principals() {
        List<String> names = new ArrayList<>();
        entries.forEach(e -> {
            if (!names.contains(e.principal())) {
                names.add(e.principal());
            }
        });
        return List.copyOf(names);
    }

    @Override
    public String toString() {
        return "BearerTokens" + principals();
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}

package io.mycelium.api.identity;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A SPIFFE ID, {@code spiffe://<trust domain>/<path>}, validated by the rules of the SPIFFE ID standard.
 *
 * <p>The rules, each with its own error message: the scheme is {@code spiffe} in lower case; the trust domain is
 * non-empty and made of {@code [a-z0-9._-]} (so no upper case, port, user info or percent-encoding); the path is
 * empty or a sequence of {@code /segment} where a segment is non-empty, is neither {@code .} nor {@code ..}, and is
 * made of {@code [a-zA-Z0-9._-]}; there is no query or fragment; the whole ID is at most 2048 bytes.
 *
 * @param trustDomain the trust domain name, e.g. {@code example.org}
 * @param path the path with its leading slash, e.g. {@code /ci/deployer}, or empty for the trust domain's own ID
 */
public record SpiffeId(String trustDomain, String path) {

    /** The longest SPIFFE ID, in UTF-8 bytes, the standard requires implementations to accept. */
    public static final int MAX_BYTES = 2048;

    private static final String SCHEME_PREFIX = "spiffe://";

    /** Checks both parts, so that a {@code SpiffeId} built directly obeys the same rules as one parsed. */
    public SpiffeId {
        Objects.requireNonNull(trustDomain, "trustDomain");
        Objects.requireNonNull(path, "path");
        checkTrustDomain(trustDomain);
        checkPath(path);
        int bytes = (SCHEME_PREFIX + trustDomain + path).getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            throw new IllegalArgumentException(
                    "SPIFFE ID is " + bytes + " bytes long; the maximum is " + MAX_BYTES + " bytes");
        }
    }

    /**
     * Parses a SPIFFE ID.
     *
     * @throws IllegalArgumentException naming the rule the text breaks
     */
    public static SpiffeId parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("a SPIFFE ID cannot be empty");
        }
        // Length first, in bytes as the standard counts them, so that a huge input is refused before any other work.
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            throw new IllegalArgumentException(
                    "SPIFFE ID is " + bytes + " bytes long; the maximum is " + MAX_BYTES + " bytes");
        }
        if (!text.startsWith(SCHEME_PREFIX)) {
            if (text.regionMatches(true, 0, SCHEME_PREFIX, 0, SCHEME_PREFIX.length())) {
                throw new IllegalArgumentException(
                        "SPIFFE ID '" + text + "': the scheme must be 'spiffe' in lower case");
            }
            throw new IllegalArgumentException("'" + text + "' is not a SPIFFE ID: it must start with 'spiffe://'");
        }
        String rest = text.substring(SCHEME_PREFIX.length());
        int slash = rest.indexOf('/');
        String trustDomain = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "" : rest.substring(slash);
        try {
            return new SpiffeId(trustDomain, path);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("SPIFFE ID '" + text + "': " + e.getMessage(), e);
        }
    }

    /** {@code true} for the ID of the trust domain itself ({@code spiffe://example.org}), which names no workload. */
    public boolean isTrustDomainId() {
        return path.isEmpty();
    }

    @Override
    public String toString() {
        return SCHEME_PREFIX + trustDomain + path;
    }

    private static void checkTrustDomain(String trustDomain) {
        if (trustDomain.isEmpty()) {
            throw new IllegalArgumentException("the trust domain is missing");
        }
        for (int i = 0; i < trustDomain.length(); i++) {
            char c = trustDomain.charAt(i);
            if (isTrustDomainChar(c)) {
                continue;
            }
            throw new IllegalArgumentException(
                    switch (c) {
                        case ':' -> "the trust domain must not have a port";
                        case '@' -> "the trust domain must not have user info";
                        case '?' -> "a SPIFFE ID must not have a query";
                        case '#' -> "a SPIFFE ID must not have a fragment";
                        case '%' -> "the trust domain must not be percent-encoded";
                        default ->
                            c >= 'A' && c <= 'Z'
                                    ? "the trust domain must be lower case (found '" + c + "')"
                                    : "the trust domain has " + describe(c)
                                            + "; only lower-case letters, digits, '.', '-' and '_' are allowed";
                    });
        }
    }

    private static void checkPath(String path) {
        if (path.isEmpty()) {
            return;
        }
        if (path.charAt(0) != '/') {
            throw new IllegalArgumentException("the path must start with '/'");
        }
        if (path.endsWith("/")) {
            throw new IllegalArgumentException("the path must not end with '/'");
        }
        // split with limit -1 keeps empty segments, which the standard forbids ("//").
        String[] segments = path.substring(1).split("/", -1);
        for (String segment : segments) {
            if (segment.isEmpty()) {
                throw new IllegalArgumentException("the path has an empty segment ('//')");
            }
            if (segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("the path has a '" + segment + "' segment");
            }
            for (int i = 0; i < segment.length(); i++) {
                char c = segment.charAt(i);
                if (isPathChar(c)) {
                    continue;
                }
                throw new IllegalArgumentException(
                        switch (c) {
                            case '?' -> "a SPIFFE ID must not have a query";
                            case '#' -> "a SPIFFE ID must not have a fragment";
                            case '%' -> "the path must not be percent-encoded";
                            default ->
                                "the path segment '" + segment + "' has " + describe(c)
                                        + "; only letters, digits, '.', '-' and '_' are allowed";
                        });
            }
        }
    }

    private static boolean isTrustDomainChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
    }

    private static boolean isPathChar(char c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || c == '.'
                || c == '-'
                || c == '_';
    }

    private static String describe(char c) {
        return c < 0x20 || c >= 0x7f || c == ' '
                ? String.format("the character U+%04X", (int) c)
                : "the character '" + c + "'";
    }
}

package io.mycelium.api.identity;

/**
 * Which principals a policy binds to: {@code "*"} every principal, {@code "prefix*"} every name starting with the
 * prefix (for example {@code "spiffe://example.org/ci/*"}), anything else exactly that name.
 */
public record PrincipalPattern(String pattern) {

    /** Refuses an empty pattern, or one with a {@code '*'} anywhere but at its end. */
    public PrincipalPattern {
        if (pattern == null || pattern.isBlank()) {
            throw new IllegalArgumentException("a principal pattern must not be empty");
        }
        int star = pattern.indexOf('*');
        if (star >= 0 && star != pattern.length() - 1) {
            throw new IllegalArgumentException("'*' may only end a principal pattern: " + pattern);
        }
    }

    /** Whether {@code principal} is one this pattern names. */
    public boolean matches(String principal) {
        if (pattern.endsWith("*")) {
            return principal.startsWith(pattern.substring(0, pattern.length() - 1));
        }
        return pattern.equals(principal);
    }
}

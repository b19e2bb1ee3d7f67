package io.mycelium.api.identity;

import java.util.List;

/** Matching a principal against a list of principal patterns ({@code "*"}, {@code "prefix*"}, exact). */
public final class PrincipalPatterns {
    private PrincipalPatterns() {}

    /** Whether any pattern matches the principal. */
    public static boolean anyMatches(List<String> patterns, String principal) {
        return patterns.stream().map(PrincipalPattern::new).anyMatch(p -> p.matches(principal));
    }
}

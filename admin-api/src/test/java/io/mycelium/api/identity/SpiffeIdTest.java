package io.mycelium.api.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class SpiffeIdTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "spiffe://example.org",
                "spiffe://example.org/ci/deployer",
                "spiffe://a-b_c.0-9/A.b-C_d/0",
                "spiffe://example.org/ns/default/sa/my-service",
                "spiffe://x/...",
                "spiffe://x/.hidden/..more"
            })
    void acceptsValidIdsAndPrintsThemBack(String text) {
        assertThat(SpiffeId.parse(text).toString()).isEqualTo(text);
    }

    @Test
    void splitsTrustDomainAndPath() {
        SpiffeId id = SpiffeId.parse("spiffe://example.org/ci/deployer");
        assertThat(id.trustDomain()).isEqualTo("example.org");
        assertThat(id.path()).isEqualTo("/ci/deployer");
        assertThat(id.isTrustDomainId()).isFalse();
        assertThat(SpiffeId.parse("spiffe://example.org").path()).isEmpty();
        assertThat(SpiffeId.parse("spiffe://example.org").isTrustDomainId()).isTrue();
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("", "cannot be empty"),
                Arguments.of("example.org/ci", "must start with 'spiffe://'"),
                Arguments.of("https://example.org/ci", "must start with 'spiffe://'"),
                Arguments.of("spiffe:/example.org/ci", "must start with 'spiffe://'"),
                Arguments.of("SPIFFE://example.org/ci", "scheme must be 'spiffe' in lower case"),
                Arguments.of("spiffe://", "trust domain is missing"),
                Arguments.of("spiffe:///ci", "trust domain is missing"),
                Arguments.of("spiffe://Example.org/ci", "trust domain must be lower case (found 'E')"),
                Arguments.of("spiffe://example.org:8443/ci", "must not have a port"),
                Arguments.of("spiffe://user@example.org/ci", "must not have user info"),
                Arguments.of("spiffe://example.org?x=1", "must not have a query"),
                Arguments.of("spiffe://example.org/ci?x=1", "must not have a query"),
                Arguments.of("spiffe://example.org#frag", "must not have a fragment"),
                Arguments.of("spiffe://example.org/ci#frag", "must not have a fragment"),
                Arguments.of("spiffe://exa%6dple.org/ci", "trust domain must not be percent-encoded"),
                Arguments.of("spiffe://example.org/c%69", "path must not be percent-encoded"),
                Arguments.of("spiffe://exam ple.org", "the trust domain has the character U+0020"),
                Arguments.of("spiffe://example.org/ci/", "path must not end with '/'"),
                Arguments.of("spiffe://example.org/", "path must not end with '/'"),
                Arguments.of("spiffe://example.org//ci", "empty segment"),
                Arguments.of("spiffe://example.org/ci/./x", "has a '.' segment"),
                Arguments.of("spiffe://example.org/ci/../x", "has a '..' segment"),
                Arguments.of("spiffe://example.org/ci/..", "has a '..' segment"),
                Arguments.of("spiffe://example.org/ci/dep*loyer", "path segment 'dep*loyer' has the character '*'"),
                Arguments.of("spiffe://example.org/caf\u00e9", "has the character U+00E9"),
                Arguments.of("spiffe://example.org/" + "a".repeat(2048), "bytes long; the maximum is 2048 bytes"));
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void refusesInvalidIdsNamingTheRule(String text, String message) {
        assertThatThrownBy(() -> SpiffeId.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void refusesNull() {
        assertThatThrownBy(() -> SpiffeId.parse(null)).hasMessageContaining("cannot be empty");
    }

    @Test
    void acceptsExactly2048Bytes() {
        String prefix = "spiffe://example.org/";
        String text = prefix + "a".repeat(2048 - prefix.length());
        assertThat(SpiffeId.parse(text).toString()).hasSize(2048);
    }

    @Test
    void constructorAppliesTheSameRules() {
        assertThatThrownBy(() -> new SpiffeId("Example.org", "/x")).hasMessageContaining("lower case");
        assertThatThrownBy(() -> new SpiffeId("example.org", "x")).hasMessageContaining("must start with '/'");
        assertThat(new SpiffeId("example.org", "/x")).isEqualTo(SpiffeId.parse("spiffe://example.org/x"));
    }
}

package io.mycelium.api.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class BearerTokensTest {
    private static final String CI_TOKEN = "s3cr3t-ci-token";
    private static final String OPS_TOKEN = "ops-token-\u00e9";

    private final BearerTokens tokens = BearerTokens.of(List.of(
            BearerTokens.Entry.ofHex("ci", BearerTokens.sha256Hex(CI_TOKEN)),
            BearerTokens.Entry.ofHex("ops", BearerTokens.sha256Hex(OPS_TOKEN).toUpperCase())));

    @Test
    void theRightTokenYieldsItsPrincipal() {
        assertThat(tokens.authenticate(CI_TOKEN)).contains(new Principal("ci", Principal.Kind.TOKEN));
        assertThat(tokens.authenticate(OPS_TOKEN)).contains(Principal.token("ops"));
    }

    @Test
    void aWrongTokenYieldsNothing() {
        assertThat(tokens.authenticate("s3cr3t-ci-tokeN")).isEmpty();
        assertThat(tokens.authenticate(CI_TOKEN + " ")).isEmpty();
        assertThat(tokens.authenticate(BearerTokens.sha256Hex(CI_TOKEN))).isEmpty();
    }

    @Test
    void anEmptyTokenYieldsNothing() {
        assertThat(tokens.authenticate("")).isEmpty();
        assertThat(tokens.authenticate(null)).isEmpty();
        // Even if someone configured the digest of the empty string.
        BearerTokens withEmpty = BearerTokens.of(List.of(BearerTokens.Entry.ofHex("x", BearerTokens.sha256Hex(""))));
        assertThat(withEmpty.authenticate("")).isEmpty();
    }

    @Test
    void aPrincipalMayHaveSeveralTokens() {
        BearerTokens rotating = BearerTokens.of(List.of(
                BearerTokens.Entry.ofHex("ci", BearerTokens.sha256Hex("old")),
                BearerTokens.Entry.ofHex("ci", BearerTokens.sha256Hex("new"))));
        assertThat(rotating.authenticate("old")).contains(Principal.token("ci"));
        assertThat(rotating.authenticate("new")).contains(Principal.token("ci"));
        assertThat(rotating.principals()).containsExactly("ci");
    }

    @Test
    void twoPrincipalsCannotShareAToken() {
        String digest = BearerTokens.sha256Hex("shared");
        assertThatThrownBy(() -> BearerTokens.of(
                        List.of(BearerTokens.Entry.ofHex("a", digest), BearerTokens.Entry.ofHex("b", digest))))
                .hasMessageContaining("principals 'a' and 'b' have the same token");
    }

    @Test
    void digestsMustBeSha256Hex() {
        assertThatThrownBy(() -> BearerTokens.Entry.ofHex("ci", "abc")).hasMessageContaining("must be 64 hex digits");
        assertThatThrownBy(() -> BearerTokens.Entry.ofHex("ci", "z".repeat(64)))
                .hasMessageContaining("must be 64 hex digits");
        assertThatThrownBy(() -> BearerTokens.Entry.ofHex(" ", BearerTokens.sha256Hex("x")))
                .hasMessageContaining("needs a principal name");
    }

    @Test
    void sha256HexMatchesSha256sum() {
        // printf %s abc | sha256sum
        assertThat(BearerTokens.sha256Hex("abc"))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void toStringShowsPrincipalsOnly() {
        assertThat(tokens.toString())
                .isEqualTo("BearerTokens[ci, ops]")
                .doesNotContain(BearerTokens.sha256Hex(CI_TOKEN));
        assertThat(BearerTokens.Entry.ofHex("ci", BearerTokens.sha256Hex(CI_TOKEN))
                        .toString())
                .isEqualTo("BearerTokens.Entry[ci]");
    }

    /**
     * Timing cannot be asserted reliably on a shared machine, so this pins the implementation instead: digests are
     * compared with the JDK's constant-time {@code MessageDigest.isEqual}, never with {@code Arrays.equals} or a
     * string comparison.
     */
    @Test
    void comparesDigestsWithTheConstantTimeApi() throws Exception {
        String source = Files.readString(Path.of("src/main/java/io/mycelium/api/identity/BearerTokens.java"));
        String authenticate = source.substring(
                source.indexOf("public Optional<Principal> authenticate"),
                source.indexOf("public static String sha256Hex"));
        assertThat(authenticate)
                .contains("MessageDigest.isEqual(entry.sha256, digest)")
                .doesNotContain("Arrays.equals")
                .doesNotContain("break")
                .doesNotContain("return Optional.of(Principal.token(entry");
    }
}

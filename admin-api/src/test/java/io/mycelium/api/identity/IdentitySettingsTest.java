package io.mycelium.api.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IdentitySettingsTest {
    private static final Config DEFAULTS = ConfigFactory.parseResources("mycelium-identity.conf");

    private static IdentitySettings parse(String hocon) {
        return IdentitySettings.fromConfig(
                ConfigFactory.parseString(hocon).withFallback(DEFAULTS).resolve());
    }

    @Test
    void defaultsAreTheLocalSingleNode() {
        assertThat(DEFAULTS.hasPath(IdentitySettings.PATH)).isTrue();
        IdentitySettings settings = IdentitySettings.fromConfig(DEFAULTS);
        assertThat(settings.tls().enabled()).isFalse();
        assertThat(settings.tls().mutual()).isFalse();
        assertThat(settings.tls().effectiveClientAuth()).isEqualTo(TlsServerContext.ClientAuth.NONE);
        assertThat(settings.tokens().isEmpty()).isTrue();
        assertThat(settings.localPrincipal()).isTrue();
    }

    @Test
    void readsTlsTrustBundlesAndTokens() {
        String digest = BearerTokens.sha256Hex("t");
        IdentitySettings settings = parse("""
                mycelium.node.identity {
                  tls {
                    enabled = on
                    certificate = "/etc/mycelium/admin.pem"
                    private-key = "/etc/mycelium/admin.key"
                    trust-bundles { "example.org" = "/etc/mycelium/example.org.pem", other = "/b.pem" }
                    client-auth = optional
                  }
                  tokens = [ { principal = "ci", sha256 = "%s" } ]
                  local-principal = off
                }
                """.formatted(digest));
        IdentitySettings.Tls tls = settings.tls();
        assertThat(tls.certificate()).contains(Path.of("/etc/mycelium/admin.pem"));
        assertThat(tls.privateKey()).contains(Path.of("/etc/mycelium/admin.key"));
        assertThat(tls.trustBundles())
                .isEqualTo(Map.of("example.org", Path.of("/etc/mycelium/example.org.pem"), "other", Path.of("/b.pem")));
        assertThat(tls.mutual()).isTrue();
        assertThat(tls.effectiveClientAuth()).isEqualTo(TlsServerContext.ClientAuth.OPTIONAL);
        assertThat(settings.tokens().authenticate("t")).contains(Principal.token("ci"));
        assertThat(settings.localPrincipal()).isFalse();
    }

    @Test
    void tlsWithoutTrustBundlesIsServerTlsOnly() {
        IdentitySettings settings = parse("""
                mycelium.node.identity.tls { enabled = on, certificate = "/c.pem", private-key = "/k.pem" }
                """);
        assertThat(settings.tls().mutual()).isFalse();
        assertThat(settings.tls().effectiveClientAuth()).isEqualTo(TlsServerContext.ClientAuth.NONE);
    }

    @Test
    void tlsNeedsACertificateAndAKey() {
        assertThatThrownBy(() -> parse("mycelium.node.identity.tls { enabled = on, private-key = \"/k.pem\" }"))
                .isInstanceOf(ConfigException.BadValue.class)
                .hasMessageContaining("mycelium.node.identity.tls.certificate");
        assertThatThrownBy(() -> parse("mycelium.node.identity.tls { enabled = on, certificate = \"/c.pem\" }"))
                .isInstanceOf(ConfigException.BadValue.class)
                .hasMessageContaining("mycelium.node.identity.tls.private-key");
    }

    @Test
    void trustBundlesWithoutTlsAreRefused() {
        assertThatThrownBy(() -> parse("mycelium.node.identity.tls.trust-bundles { \"example.org\" = \"/b.pem\" }"))
                .isInstanceOf(ConfigException.BadValue.class)
                .hasMessageContaining("tls.enabled = off");
    }

    @Test
    void anUnquotedTrustDomainIsExplained() {
        assertThatThrownBy(() -> parse("""
                        mycelium.node.identity.tls {
                          enabled = on, certificate = "/c.pem", private-key = "/k.pem"
                          trust-bundles { example.org = "/b.pem" }
                        }
                        """))
                .isInstanceOf(ConfigException.BadValue.class)
                .hasMessageContaining("trust-bundles.example")
                .hasMessageContaining("must be quoted");
    }

    @Test
    void anInvalidTrustDomainIsRefused() {
        assertThatThrownBy(() -> parse("""
                        mycelium.node.identity.tls {
                          enabled = on, certificate = "/c.pem", private-key = "/k.pem"
                          trust-bundles { "Example.org" = "/b.pem" }
                        }
                        """))
                .isInstanceOf(ConfigException.BadValue.class)
                .hasMessageContaining("not a trust domain name");
    }

    @Test
    void clientAuthIsRequiredOrOptional() {
        assertThatThrownBy(() -> parse("mycelium.node.identity.tls.client-auth = sometimes"))
                .isInstanceOf(ConfigException.BadValue.class)
                .hasMessageContaining("expected 'required' or 'optional'");
    }

    @Test
    void badTokensAreRefusedWithTheirIndex() {
        assertThatThrownBy(() -> parse("mycelium.node.identity.tokens = [ { principal = ci, sha256 = abc } ]"))
                .isInstanceOf(ConfigException.BadValue.class)
                .hasMessageContaining("tokens[0]")
                .hasMessageContaining("64 hex digits");
        assertThatThrownBy(() -> parse("mycelium.node.identity.tokens = [ { principal = ci } ]"))
                .hasMessageContaining("needs 'principal' and 'sha256'");
    }
}

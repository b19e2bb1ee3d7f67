package io.mycelium.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class JournalSettingsTest {
    private static JournalSettings settings(Config overlay) {
        return JournalSettings.fromConfig(
                overlay.withFallback(ConfigFactory.load()).resolve());
    }

    @Test
    void theDefaultIsAnH2FileUnderTheDataDirectory() {
        JournalSettings settings = settings(ConfigFactory.empty());

        assertThat(settings.kind()).isEqualTo(JournalSettings.Kind.H2);
        assertThat(settings.url())
                .isEqualTo("jdbc:h2:file:" + Path.of("data").toAbsolutePath().resolve("journal/mycelium")
                        + ";DATABASE_TO_UPPER=false;DB_CLOSE_ON_EXIT=FALSE");
        assertThat(settings.maxConnections()).isEqualTo(8);
        assertThat(settings.connectionTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void aRelativeDataDirectoryBecomesAbsoluteForH2() {
        JournalSettings settings = settings(ConfigFactory.parseString("mycelium.data-dir = \"var/node-1\""));

        assertThat(settings.url())
                .startsWith("jdbc:h2:file:" + Path.of("var/node-1").toAbsolutePath());
    }

    @Test
    void theH2OverlayPlacesTheDatabaseInTheGivenDirectory(@org.junit.jupiter.api.io.TempDir Path dir) {
        JournalSettings settings = settings(JournalSettings.h2(dir));

        assertThat(settings.kind()).isEqualTo(JournalSettings.Kind.H2);
        assertThat(settings.url())
                .startsWith("jdbc:h2:file:" + dir.resolve("journal").resolve("mycelium") + ";");
    }

    @Test
    void thePostgresOverlaySwitchesKindUrlAndLogin() {
        JournalSettings settings = settings(JournalSettings.postgres("jdbc:postgresql://db:5432/j", "node", "secret"));

        assertThat(settings.kind()).isEqualTo(JournalSettings.Kind.POSTGRES);
        assertThat(settings.url()).isEqualTo("jdbc:postgresql://db:5432/j");
        assertThat(settings.user()).isEqualTo("node");
        assertThat(settings.password()).isEqualTo("secret");
        assertThat(settings.toString()).doesNotContain("secret");
        assertThat(settings.slickConfig().getString("profile")).isEqualTo("slick.jdbc.PostgresProfile$");
        assertThat(settings.slickConfig().getString("db.driver")).isEqualTo("org.postgresql.Driver");
    }

    @Test
    void mistakesNameTheKey() {
        assertThatThrownBy(() -> settings(ConfigFactory.parseString("mycelium.journal.kind = mysql")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("mycelium.journal.kind = mysql is not supported: use h2 or postgres");
        assertThatThrownBy(() -> settings(ConfigFactory.parseString("mycelium.journal.kind = postgres")))
                .hasMessageContaining("mycelium.journal.url is empty");
        assertThatThrownBy(() -> settings(
                        ConfigFactory.parseString("mycelium.journal { kind = postgres, url = \"jdbc:h2:mem:x\" }")))
                .hasMessageContaining("is not a postgres URL");
        assertThatThrownBy(() -> settings(ConfigFactory.parseString("mycelium.journal.max-connections = 0")))
                .hasMessageContaining("max-connections must be at least 1");
        assertThatThrownBy(() -> settings(ConfigFactory.parseString("mycelium.journal.connection-timeout = soon")))
                .hasMessageContaining("invalid journal configuration")
                .hasMessageContaining("connection-timeout");
    }
}

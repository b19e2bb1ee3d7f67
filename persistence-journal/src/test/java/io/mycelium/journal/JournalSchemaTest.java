package io.mycelium.journal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The scripts taken from pekko-persistence-jdbc's jar, after JournalSchema made them idempotent. */
class JournalSchemaTest {
    @ParameterizedTest
    @EnumSource(JournalSettings.Kind.class)
    void everyStatementMayRunTwiceAndUsesTheCurrentSchema(JournalSettings.Kind kind) {
        var statements = JournalSchema.statements(kind);

        assertThat(statements).isNotEmpty().allSatisfy(statement -> {
            assertThat(statement)
                    .containsPattern("(?i)^CREATE\\s+(TABLE|SEQUENCE|(UNIQUE\\s+)?INDEX)\\s+IF NOT EXISTS");
            assertThat(statement).doesNotContainPattern("(?i)\\bpublic\\.").doesNotContainIgnoringCase("CONCURRENTLY");
        });
        assertThat(String.join("\n", statements))
                .contains("event_journal", "event_tag", "snapshot", "event_journal_ordering_idx");
    }
}

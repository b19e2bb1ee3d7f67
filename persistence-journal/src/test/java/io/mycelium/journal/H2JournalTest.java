package io.mycelium.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal on an H2 file database in a temporary data directory. */
class H2JournalTest {
    @TempDir
    Path dataDir;

    @Test
    void aNewActorSystemRecoversCountersFromEventsAndSnapshots() throws Exception {
        RecoveryScenario.run("H2JournalTest", JournalSettings.h2(dataDir));

        assertThat(dataDir.resolve("journal").resolve(JournalSettings.H2_FILE_NAME + ".mv.db"))
                .as("the journal lives under <data-dir>/journal")
                .satisfies(file -> assertThat(Files.size(file)).isPositive());
    }
}

package io.mycelium.journal;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import io.mycelium.testhosts.RequiresPostgres;
import io.mycelium.testhosts.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The journal on PostgreSQL, each test in a schema of its own. */
@RequiresPostgres
class PostgresJournalTest {
    private TestDatabase database;

    @BeforeEach
    void createSchema() throws Exception {
        database = TestDatabase.create();
    }

    @AfterEach
    void dropSchema() throws Exception {
        database.close();
    }

    private Config journal() {
        return JournalSettings.postgres(database.url(), database.user(), database.password());
    }

    @Test
    void aNewActorSystemRecoversCountersFromEventsAndSnapshots() throws Exception {
        RecoveryScenario.run("PostgresJournalTest", journal());
    }

    @Test
    void nodesStartingTogetherAllCreateTheSchemaWithoutFailing() throws Exception {
        List<ActorTestKit> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                nodes.add(TestSystems.start("node-" + i, journal()));
            }
            CompletableFuture<?>[] ensured = nodes.stream()
                    .map(node -> JournalSchema.ensure(node.system()).toCompletableFuture())
                    .toArray(CompletableFuture[]::new);
            CompletableFuture.allOf(ensured).get(30, TimeUnit.SECONDS);
        } finally {
            nodes.forEach(ActorTestKit::shutdownTestKit);
        }

        try (Connection connection = database.connect();
                Statement statement = connection.createStatement();
                ResultSet tables = statement.executeQuery("SELECT table_name FROM information_schema.tables"
                        + " WHERE table_schema = current_schema() ORDER BY table_name")) {
            List<String> names = new ArrayList<>();
            while (tables.next()) {
                names.add(tables.getString(1));
            }
            assertThat(names).containsExactly("durable_state", "event_journal", "event_tag", "snapshot");
        }
    }

    @Test
    void schemasOfTestDatabasesAreSeparateAndDroppedOnClose() throws Exception {
        String schema;
        try (TestDatabase other = TestDatabase.create()) {
            schema = other.schema();
            assertThat(schema).isNotEqualTo(database.schema()).startsWith("test_");
            try (Connection connection = other.connect();
                    Statement statement = connection.createStatement();
                    ResultSet current = statement.executeQuery("SELECT current_schema()")) {
                assertThat(current.next()).isTrue();
                assertThat(current.getString(1)).isEqualTo(schema);
            }
        }
        try (Connection connection = database.connect();
                Statement statement = connection.createStatement();
                ResultSet left = statement.executeQuery(
                        "SELECT count(*) FROM information_schema.schemata WHERE schema_name = '" + schema + "'")) {
            assertThat(left.next()).isTrue();
            assertThat(left.getInt(1)).isZero();
        }
    }
}

package io.mycelium.journal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.jdbc.db.SlickDatabase;
import org.apache.pekko.persistence.jdbc.db.SlickExtension;
import org.apache.pekko.persistence.jdbc.db.SlickExtensionImpl;

/**
 * Creates the journal's tables (events, tags, snapshots, durable state) when they are missing, in the database and
 * schema the journal uses ({@code mycelium.journal}; on PostgreSQL the connection's current schema).
 *
 * <p>Snapshots need no setup beyond these tables: an entity opts in with one line,
 * {@code withRetention(RetentionCriteria.snapshotEvery(100, 3))}, which snapshots every 100 events and keeps the last
 * three.
 *
 * <p>Why not pekko-persistence-jdbc's {@code SchemaUtils.createIfNotExists}: it logs every failing statement at debug
 * level and carries on, so a missing permission looks like success; its PostgreSQL script names the {@code public}
 * schema, so it ignores {@code currentSchema}; it creates an index without {@code IF NOT EXISTS} and others
 * {@code CONCURRENTLY}; and two nodes starting together race on the catalogue. So this class takes the same scripts
 * from pekko-persistence-jdbc's jar and makes them idempotent: no schema prefix, {@code IF NOT EXISTS} on every index,
 * no {@code CONCURRENTLY}; it checks that every statement is then idempotent (so an upgrade that changes the scripts
 * fails here, not in production); and on PostgreSQL it runs them in one transaction under an advisory lock, so
 * concurrent callers wait for each other and find the tables made.
 */
public final class JournalSchema {
    /** The advisory lock on PostgreSQL: our serializer's identifier, so it is recognisable in pg_locks. */
    static final long ADVISORY_LOCK_KEY = KryoSerializer.IDENTIFIER;

    private static final Pattern SCHEMA_PREFIX = Pattern.compile("(?i)\\bpublic\\.");
    private static final Pattern INDEX_WITHOUT_GUARD =
            Pattern.compile("(?i)CREATE\\s+(UNIQUE\\s+)?INDEX\\s+(?!IF\\s+NOT\\s+EXISTS)(CONCURRENTLY\\s+)?");
    private static final Pattern IDEMPOTENT =
            Pattern.compile("(?is)CREATE\\s+(TABLE|SEQUENCE|(UNIQUE\\s+)?INDEX)\\s+IF\\s+NOT\\s+EXISTS\\s.*");

    /** Serializes callers in this JVM; H2 has no advisory locks, and one H2 file belongs to one JVM. */
    private static final Object H2_LOCK = new Object();

    private JournalSchema() {}

    /**
     * Creates the tables that are missing, on the blocking-I/O dispatcher.
     *
     * @param system an actor system configured for the journal (this module's {@code reference.conf} and
     *     {@code mycelium.journal})
     * @return completes when every table exists; fails with an {@link IllegalStateException} naming the database and
     *     the statement when one cannot be created
     */
    public static CompletionStage<Done> ensure(ActorSystem<?> system) {
        JournalSettings settings = JournalSettings.fromConfig(system.settings().config());
        SlickDatabase database = ((SlickExtensionImpl) SlickExtension.get(Adapter.toClassic(system)))
                .database(system.settings().config().getConfig("jdbc-journal"));
        List<String> statements = statements(settings.kind());
        return CompletableFuture.supplyAsync(
                () -> {
                    try (Connection connection = database.database().source().createConnection()) {
                        apply(connection, settings.kind(), statements);
                    } catch (SQLException e) {
                        throw new IllegalStateException(
                                "cannot create the journal tables in " + settings.url() + ": " + e.getMessage(), e);
                    }
                    return Done.getInstance();
                },
                system.dispatchers().lookup(DispatcherSelector.blocking()));
    }

    /**
     * Creates the tables that are missing through {@code connection}, in its current schema: for tools that run without
     * an actor system, such as {@code mycelium journal restore}.
     *
     * @throws SQLException naming the statement that failed
     */
    public static void create(Connection connection, JournalSettings.Kind kind) throws SQLException {
        apply(connection, kind, statements(kind));
    }

    /** pekko-persistence-jdbc's create script for {@code kind}, made idempotent and split into statements. */
    static List<String> statements(JournalSettings.Kind kind) {
        String resource = switch (kind) {
            case H2 -> "schema/h2/h2-create-schema.sql";
            case POSTGRES -> "schema/postgres/postgres-create-schema.sql";
        };
        String script = SCHEMA_PREFIX.matcher(read(resource)).replaceAll("");
        script = INDEX_WITHOUT_GUARD.matcher(script).replaceAll(m -> {
            String unique = m.group(1) == null ? "" : "UNIQUE ";
            return "CREATE " + unique + "INDEX IF NOT EXISTS ";
        });
        List<String> statements = new ArrayList<>();
        for (String statement : script.split(";")) {
            String trimmed = statement.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            if (!IDEMPOTENT.matcher(trimmed).matches()) {
                throw new IllegalStateException("pekko-persistence-jdbc's " + resource + " has a statement that is"
                        + " not CREATE ... IF NOT EXISTS, so running it twice would fail; JournalSchema needs"
                        + " updating for it: " + trimmed);
            }
            statements.add(trimmed);
        }
        return List.copyOf(statements);
    }

    private static void apply(Connection connection, JournalSettings.Kind kind, List<String> statements)
            throws SQLException {
        if (kind == JournalSettings.Kind.H2) {
            synchronized (H2_LOCK) {
                execute(connection, statements);
            }
            return;
        }
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement lock = connection.createStatement()) {
            // Released at commit or rollback: the next caller then finds the tables and creates nothing.
            lock.execute("SELECT pg_advisory_xact_lock(" + ADVISORY_LOCK_KEY + ")");
            execute(connection, statements);
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    private static void execute(Connection connection, List<String> statements) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                try {
                    statement.execute(sql);
                } catch (SQLException e) {
                    throw new SQLException(e.getMessage() + " (in: " + sql + ")", e.getSQLState(), e);
                }
            }
        }
    }

    private static String read(String resource) {
        try (InputStream in = SlickDatabase.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(
                        resource + " is missing from the class path: is" + " pekko-persistence-jdbc on it?");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}

package io.mycelium.testhosts;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Properties;

/**
 * A fresh PostgreSQL schema for one test, dropped with everything in it by {@link #close()}. Tests that run in
 * parallel, or in several JVMs at once, each get their own tables in the one test database.
 *
 * <pre>{@code
 * @RequiresPostgres
 * class JournalTest {
 *     @Test
 *     void recovers() throws Exception {
 *         try (TestDatabase db = TestDatabase.create()) {
 *             connectTo(db.url(), db.user(), db.password());   // the URL selects the schema: currentSchema=...
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p>The server comes from the environment ({@link Server#fromEnvironment()}); {@code .ci/run} starts one and creates
 * its role and database.
 */
public final class TestDatabase implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Server server;
    private final String schema;

    /**
     * Where the test PostgreSQL server is and how to log in.
     *
     * @param url a JDBC URL of the test database, {@code jdbc:postgresql://host:port/database}
     * @param user the role, which may create schemas in that database
     * @param password the role's password
     */
    public record Server(String url, String user, String password) {
        /** The URL used when {@code MYCELIUM_PG_URL} is not set. */
        public static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/mycelium";
        /** The role (and password) used when {@code MYCELIUM_PG_USER} ({@code MYCELIUM_PG_PASSWORD}) is not set. */
        public static final String DEFAULT_USER = "mycelium";

        /**
         * From {@code MYCELIUM_PG_URL}, {@code MYCELIUM_PG_USER} and {@code MYCELIUM_PG_PASSWORD}; defaults:
         * {@value #DEFAULT_URL}, {@code mycelium}, {@code mycelium}.
         */
        public static Server fromEnvironment() {
            return new Server(
                    env("MYCELIUM_PG_URL", DEFAULT_URL),
                    env("MYCELIUM_PG_USER", DEFAULT_USER),
                    env("MYCELIUM_PG_PASSWORD", DEFAULT_USER));
        }

        private static String env(String name, String fallback) {
            String value = System.getenv(name);
            return value == null || value.isBlank() ? fallback : value;
        }

        /**
         * Opens a connection, giving up after a few seconds rather than hanging a test run on an unreachable host.
         */
        public Connection connect() throws SQLException {
            return connect(url);
        }

        Connection connect(String jdbcUrl) throws SQLException {
            Properties properties = new Properties();
            properties.setProperty("user", user);
            properties.setProperty("password", password);
            properties.setProperty("connectTimeout", "3");
            properties.setProperty("loginTimeout", "5");
            return DriverManager.getConnection(jdbcUrl, properties);
        }

        /** Like the record's, without the password. */
        @Override
        public String toString() {
            return "Server[url=" + url + ", user=" + user + "]";
        }
    }

    private TestDatabase(Server server, String schema) {
        this.server = server;
        this.schema = schema;
    }

    /** Creates a uniquely named schema on the server from the environment. */
    public static TestDatabase create() throws SQLException {
        return create(Server.fromEnvironment());
    }

    /** Creates a uniquely named schema on {@code server}. */
    public static TestDatabase create(Server server) throws SQLException {
        // Lower case, so that the name needs no quoting in SQL or in the URL.
        String schema = "test_" + HexFormat.of().formatHex(randomBytes()).toLowerCase(Locale.ROOT);
        try (Connection connection = server.connect();
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA " + schema);
        }
        return new TestDatabase(server, schema);
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    /** The schema's name, {@code test_} and 16 hex digits. */
    public String schema() {
        return schema;
    }

    /** The server's URL with {@code currentSchema} set to this schema: unqualified names resolve here. */
    public String url() {
        String separator = server.url().contains("?") ? "&" : "?";
        return server.url() + separator + "currentSchema=" + schema;
    }

    /** The role to log in as. */
    public String user() {
        return server.user();
    }

    /** The role's password. */
    public String password() {
        return server.password();
    }

    /** A connection whose current schema is this one. */
    public Connection connect() throws SQLException {
        return server.connect(url());
    }

    /** Drops the schema and everything in it. */
    @Override
    public void close() throws SQLException {
        try (Connection connection = server.connect();
                Statement statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    @Override
    public String toString() {
        return "TestDatabase[" + url() + "]";
    }
}

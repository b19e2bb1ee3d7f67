package io.mycelium.journal;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * The typed view of {@code mycelium.journal}: which database holds the event journal and the snapshots, shared by the
 * journal, the snapshot store and the read journal (see {@link JournalDatabaseProvider}).
 *
 * <pre>
 * mycelium.journal {
 *   kind = h2                  # or postgres
 *   url = ""                   # h2: "" is a file database under ${mycelium.data-dir}/journal; postgres: required
 *   user = "sa"
 *   password = ""
 *   max-connections = 8
 *   connection-timeout = 30s
 * }
 * </pre>
 *
 * <p>{@link #h2(Path)} and {@link #postgres(String, String, String)} return overlays that switch a node or a test to
 * either database: {@code JournalSettings.postgres(url, user, password).withFallback(ConfigFactory.load())}.
 *
 * @param kind which database
 * @param url the JDBC URL, derived from {@code mycelium.data-dir} for an H2 database whose url is empty
 * @param user the database user
 * @param password the user's password (not shown by {@link #toString()})
 * @param maxConnections the size of the one connection pool the journal plugins share
 * @param connectionTimeout how long a query waits for a free connection before it fails
 */
public record JournalSettings(
        Kind kind, String url, String user, String password, int maxConnections, Duration connectionTimeout) {

    /** Where these settings live in the configuration. */
    public static final String CONFIG_PATH = "mycelium.journal";

    /** The file name, under {@code <data-dir>/journal}, of the default H2 database. */
    static final String H2_FILE_NAME = "mycelium";

    /**
     * H2 options: pekko-persistence-jdbc's H2 schema quotes lower-case names, so H2 must not upper-case identifiers;
     * and the connection pool, not H2's own shutdown hook, closes the database, so that events written while the actor
     * system shuts down still reach it.
     */
    static final String H2_OPTIONS = ";DATABASE_TO_UPPER=false;DB_CLOSE_ON_EXIT=FALSE";

    /** The databases the journal runs on. */
    public enum Kind {
        /** Embedded H2, a file database: one node, nothing to install. */
        H2("slick.jdbc.H2Profile$", "org.h2.Driver", "jdbc:h2:"),
        /** PostgreSQL: a cluster of nodes sharing one journal. */
        POSTGRES("slick.jdbc.PostgresProfile$", "org.postgresql.Driver", "jdbc:postgresql:");

        private final String slickProfile;
        private final String driver;
        private final String urlPrefix;

        Kind(String slickProfile, String driver, String urlPrefix) {
            this.slickProfile = slickProfile;
            this.driver = driver;
            this.urlPrefix = urlPrefix;
        }

        /** The Slick profile pekko-persistence-jdbc uses for this database. */
        public String slickProfile() {
            return slickProfile;
        }

        /** The JDBC driver class. */
        public String driver() {
            return driver;
        }

        /** How this database's JDBC URLs start. */
        public String urlPrefix() {
            return urlPrefix;
        }

        /** The name used in configuration ({@code h2}, {@code postgres}). */
        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Reads {@code mycelium.journal} (and {@code mycelium.data-dir}, which places the default H2 database).
     *
     * @param config a whole configuration, such as an actor system's
     * @throws IllegalArgumentException naming the key when a value is missing, unknown, or a URL does not fit the kind
     */
    public static JournalSettings fromConfig(Config config) {
        try {
            Config journal = config.getConfig(CONFIG_PATH);
            Kind kind = parseKind(journal.getString("kind"));
            String url = journal.getString("url").trim();
            if (url.isEmpty()) {
                if (kind != Kind.POSTGRES) {
                    url = h2Url(Path.of(config.getString("mycelium.data-dir")));
                } else {
                    throw new IllegalArgumentException(CONFIG_PATH + ".url is empty: a postgres journal needs a URL"
                            + " such as jdbc:postgresql://127.0.0.1:5432/mycelium");
                }
            }
            if (!url.startsWith(kind.urlPrefix())) {
                throw new IllegalArgumentException(CONFIG_PATH + ".url = " + url + " is not a " + kind.configName()
                        + " URL (" + kind.urlPrefix() + "...): set " + CONFIG_PATH + ".kind and .url together");
            }
            int maxConnections = journal.getInt("max-connections");
            if (maxConnections < 1) {
                throw new IllegalArgumentException(CONFIG_PATH + ".max-connections must be at least 1");
            }
            return new JournalSettings(
                    kind,
                    url,
                    journal.getString("user"),
                    journal.getString("password"),
                    maxConnections,
                    journal.getDuration("connection-timeout"));
        } catch (ConfigException e) {
            throw new IllegalArgumentException("invalid journal configuration: " + e.getMessage(), e);
        }
    }

    private static Kind parseKind(String value) {
        for (Kind kind : Kind.values()) {
            if (kind.configName().equalsIgnoreCase(value.trim())) {
                return kind;
            }
        }
        throw new IllegalArgumentException(CONFIG_PATH + ".kind = " + value + " is not supported: use h2 or postgres");
    }

    /** The URL of the H2 file database under {@code dataDir/journal}. */
    static String h2Url(Path dataDir) {
        // Absolute, as H2 refuses a relative path that does not start with "./".
        Path file = dataDir.toAbsolutePath().normalize().resolve("journal").resolve(H2_FILE_NAME);
        return "jdbc:h2:file:" + file + H2_OPTIONS;
    }

    /**
     * A configuration overlay for the embedded H2 journal in {@code dataDir/journal}; also sets
     * {@code mycelium.data-dir}.
     */
    public static Config h2(Path dataDir) {
        Path absolute = dataDir.toAbsolutePath().normalize();
        return ConfigFactory.parseMap(Map.of(
                "mycelium.data-dir",
                absolute.toString(),
                CONFIG_PATH + ".kind",
                Kind.H2.configName(),
                CONFIG_PATH + ".url",
                h2Url(absolute),
                CONFIG_PATH + ".user",
                "sa",
                CONFIG_PATH + ".password",
                ""));
    }

    /** A configuration overlay for a PostgreSQL journal. */
    public static Config postgres(String url, String user, String password) {
        return ConfigFactory.parseMap(Map.of(
                CONFIG_PATH + ".kind", Kind.POSTGRES.configName(),
                CONFIG_PATH + ".url", url,
                CONFIG_PATH + ".user", user,
                CONFIG_PATH + ".password", password));
    }

    /**
     * The configuration of the shared Slick database, in the shape pekko-persistence-jdbc's {@code LazySlickDatabase}
     * reads ({@code profile} and {@code db}).
     */
    Config slickConfig() {
        long timeoutMillis = Math.max(1000, connectionTimeout.toMillis()); // HikariCP's minimum
        return ConfigFactory.parseMap(Map.ofEntries(
                Map.entry("profile", kind.slickProfile()),
                Map.entry("db.connectionPool", "HikariCP"),
                Map.entry("db.url", url),
                Map.entry("db.user", user),
                Map.entry("db.password", password),
                Map.entry("db.driver", kind.driver()),
                // Slick runs one blocking thread per connection; more threads than connections could deadlock.
                Map.entry("db.numThreads", maxConnections),
                Map.entry("db.maxConnections", maxConnections),
                Map.entry("db.minConnections", 1),
                Map.entry("db.queueSize", 10_000),
                Map.entry("db.connectionTimeout", timeoutMillis),
                Map.entry("db.validationTimeout", Math.min(5000, timeoutMillis - 1)),
                Map.entry("db.keepAliveConnection", true)));
    }

    /** Like the record's, without the password. */
    @Override
    public String toString() {
        return "JournalSettings[kind=" + kind.configName() + ", url=" + url + ", user=" + user + ", maxConnections="
                + maxConnections + ", connectionTimeout=" + connectionTimeout + "]";
    }
}

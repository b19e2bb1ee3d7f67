package io.mycelium.node.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.mycelium.journal.JournalSchema;
import io.mycelium.journal.JournalSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * A logical export of a PostgreSQL journal and its restore: each journal table of the connection's current schema
 * copied out with {@code COPY ... TO STDOUT (FORMAT csv)} into {@code <table>.csv}, plus {@value #MANIFEST} naming the
 * tables, their columns, row counts and the SHA-256 of each file. The export reads all tables in one repeatable-read
 * transaction, so they agree with each other. The restore checks every hash first, refuses a schema whose journal
 * tables hold rows, copies the tables back in one transaction and moves the serial sequences past the restored rows.
 * Blocking JDBC: call it off actor threads.
 */
public final class PostgresExport {
    /** The manifest's file name inside an export directory. */
    public static final String MANIFEST = "manifest.json";

    /** The manifest's format; a restore refuses any other. */
    static final int FORMAT_VERSION = 1;

    /** The journal tables, parents before children (event_tag references event_journal). */
    static final List<String> TABLES = List.of("event_journal", "event_tag", "snapshot", "durable_state");

    /** The serial columns whose sequences a restore moves on: table -> column. */
    private static final Map<String, String> SERIALS =
            Map.of("event_journal", "ordering", "durable_state", "global_offset");

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private PostgresExport() {}

    /**
     * Exports the journal tables of {@code connection}'s current schema into {@code dir}, which must not exist yet.
     *
     * @return the total size of the files written
     */
    static long export(Connection connection, Path dir) throws SQLException, IOException {
        Path partial = dir.resolveSibling(dir.getFileName() + ".partial");
        Files.createDirectories(partial);
        CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        List<Map<String, Object>> tables = new ArrayList<>();
        long bytes = 0;
        try {
            String schema = currentSchema(connection);
            for (String table : TABLES) {
                List<String> columns = columns(connection, table);
                if (columns.isEmpty()) {
                    continue;
                }
                Path file = partial.resolve(table + ".csv");
                long rows;
                MessageDigest sha = sha256();
                try (OutputStream out = new DigestOutputStream(Files.newOutputStream(file), sha)) {
                    rows = copy.copyOut("COPY \"" + table + "\" (" + quoted(columns) + ") TO STDOUT (FORMAT csv)", out);
                }
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("name", table);
                entry.put("file", file.getFileName().toString());
                entry.put("rows", rows);
                entry.put("sha256", HexFormat.of().formatHex(sha.digest()));
                entry.put("columns", columns);
                tables.add(entry);
                bytes += Files.size(file);
            }
            connection.commit();
            Map<String, Object> manifest = new LinkedHashMap<>();
            manifest.put("format", "mycelium-journal-export");
            manifest.put("formatVersion", FORMAT_VERSION);
            manifest.put("schema", "pekko-persistence-jdbc postgres");
            manifest.put("sourceSchema", schema);
            manifest.put("createdAt", Instant.now().toString());
            manifest.put("tables", tables);
            Path manifestFile = partial.resolve(MANIFEST);
            JSON.writeValue(manifestFile.toFile(), manifest);
            bytes += Files.size(manifestFile);
        } catch (SQLException | IOException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
        // Only a complete export carries the final name, so a crash mid-way never looks like the newest backup.
        Files.move(partial, dir);
        return bytes;
    }

    /**
     * Restores the export in {@code dir} into {@code connection}'s current schema: creates the journal tables that are
     * missing, refuses when any of them holds rows, then copies every table back in one transaction.
     *
     * @return rows restored per table
     * @throws IllegalArgumentException when the manifest is missing or unknown, a file's hash differs, or the schema
     *     is not empty
     */
    public static Map<String, Long> restore(Connection connection, Path dir) throws SQLException, IOException {
        Path manifestFile = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(manifestFile)) {
            throw new IllegalArgumentException(dir + " is not a journal export: it has no " + MANIFEST);
        }
        JsonNode manifest = JSON.readTree(manifestFile.toFile());
        if (!"mycelium-journal-export".equals(manifest.path("format").asText())
                || manifest.path("formatVersion").asInt() != FORMAT_VERSION) {
            throw new IllegalArgumentException(
                    manifestFile + " is not a mycelium journal export of format version " + FORMAT_VERSION);
        }
        for (JsonNode table : manifest.path("tables")) {
            Path file = dir.resolve(table.path("file").asText());
            String actual = sha256Of(file);
            if (!actual.equals(table.path("sha256").asText())) {
                throw new IllegalArgumentException(file + " does not match the manifest (sha256 " + actual
                        + ", expected " + table.path("sha256").asText() + "): the export is damaged");
            }
        }
        JournalSchema.create(connection, JournalSettings.Kind.POSTGRES);
        String schema = currentSchema(connection);
        for (String table : TABLES) {
            if (!columns(connection, table).isEmpty() && rows(connection, table) > 0) {
                throw new IllegalArgumentException("the schema " + schema + " is not empty: " + table + " holds rows."
                        + " Restore into an empty schema (CREATE SCHEMA ...; ?currentSchema=...)");
            }
        }
        CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        Map<String, Long> restored = new LinkedHashMap<>();
        try {
            for (JsonNode table : manifest.path("tables")) {
                String name = table.path("name").asText();
                if (!TABLES.contains(name)) {
                    throw new IllegalArgumentException(manifestFile + " names an unknown table " + name);
                }
                List<String> columns = new ArrayList<>();
                table.path("columns").forEach(c -> columns.add(c.asText()));
                long rows;
                try (InputStream in =
                        Files.newInputStream(dir.resolve(table.path("file").asText()))) {
                    rows = copy.copyIn("COPY \"" + name + "\" (" + quoted(columns) + ") FROM STDIN (FORMAT csv)", in);
                }
                if (rows != table.path("rows").asLong()) {
                    throw new IllegalArgumentException(name + ": restored " + rows + " rows, the manifest says "
                            + table.path("rows").asLong());
                }
                restored.put(name, rows);
            }
            try (Statement s = connection.createStatement()) {
                for (Map.Entry<String, String> serial : SERIALS.entrySet()) {
                    String table = serial.getKey();
                    String column = serial.getValue();
                    s.execute("SELECT setval(pg_get_serial_sequence('\"" + table + "\"', '" + column + "'),"
                            + " COALESCE(MAX(\"" + column + "\"), 0) + 1, false) FROM \"" + table + "\"");
                }
            }
            connection.commit();
        } catch (SQLException | IOException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
        return restored;
    }

    private static String currentSchema(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement();
                ResultSet r = s.executeQuery("SELECT current_schema()")) {
            r.next();
            return r.getString(1);
        }
    }

    /** The table's columns in the current schema, in order; empty when the table does not exist. */
    private static List<String> columns(Connection connection, String table) throws SQLException {
        List<String> columns = new ArrayList<>();
        try (PreparedStatement q = connection.prepareStatement("SELECT column_name FROM information_schema.columns"
                + " WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position")) {
            q.setString(1, table);
            try (ResultSet r = q.executeQuery()) {
                while (r.next()) {
                    columns.add(r.getString(1));
                }
            }
        }
        return columns;
    }

    private static long rows(Connection connection, String table) throws SQLException {
        try (Statement s = connection.createStatement();
                ResultSet r = s.executeQuery("SELECT COUNT(*) FROM \"" + table + "\"")) {
            r.next();
            return r.getLong(1);
        }
    }

    private static String quoted(List<String> columns) {
        for (String column : columns) {
            if (!column.matches("[a-z_][a-z0-9_]*")) {
                throw new IllegalArgumentException("unexpected column name " + column);
            }
        }
        return "\"" + String.join("\", \"", columns) + "\"";
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    private static String sha256Of(Path file) throws IOException {
        MessageDigest sha = sha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}

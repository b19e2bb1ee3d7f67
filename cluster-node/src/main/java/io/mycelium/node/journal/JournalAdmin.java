package io.mycelium.node.journal;

import io.mycelium.journal.JournalSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Backups and health of the journal: for H2 an online backup ({@code BACKUP TO}) into a zip file, for PostgreSQL a
 * logical export of the journal tables into a directory ({@link PostgresExport}); the sizes of the journal's tables,
 * and the last backup's time and age. Blocking JDBC: call it off actor threads.
 */
public final class JournalAdmin {
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

    /** One backup: the file (H2) or directory (PostgreSQL), its size, when it was taken. */
    public record Backup(Path file, long bytes, Instant at) {}

    private final JournalSettings journal;
    private final Path backupDir;
    private final AtomicReference<Backup> last = new AtomicReference<>();
    private final AtomicReference<Compaction> lastCompaction = new AtomicReference<>();

    /** One compaction: when it ran and how many events it deleted. */
    public record Compaction(Instant at, long eventsDeleted) {}

    /** The admin of {@code journal}, writing backups to {@code backupDir}. */
    public JournalAdmin(JournalSettings journal, Path backupDir) {
        this.journal = journal;
        this.backupDir = backupDir;
        this.last.set(newestIn(backupDir));
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(journal.url(), journal.user(), journal.password());
    }

    /** Takes a backup now: an online backup of H2, a logical export of PostgreSQL's journal tables. */
    public synchronized Backup backup() throws IOException, SQLException {
        Files.createDirectories(backupDir);
        Instant at = Instant.now();
        if (journal.kind() == JournalSettings.Kind.POSTGRES) {
            Path dir = backupDir.toAbsolutePath().resolve("journal-" + STAMP.format(at));
            long bytes;
            try (Connection c = connect()) {
                bytes = PostgresExport.export(c, dir);
            }
            Backup done = new Backup(dir, bytes, at);
            last.set(done);
            return done;
        }
        Path file = backupDir.toAbsolutePath().resolve("journal-" + STAMP.format(at) + ".zip");
        try (Connection c = connect();
                PreparedStatement backup = c.prepareStatement("BACKUP TO ?")) {
            backup.setString(1, file.toString());
            backup.execute();
        }
        Backup done = new Backup(file, Files.size(file), at);
        last.set(done);
        return done;
    }

    /** Deletes the events no reader needs any more (see {@link JournalCompaction} for what is kept). */
    public synchronized Compaction compact() throws SQLException {
        Instant at = Instant.now();
        long deleted;
        try (Connection c = connect()) {
            deleted = JournalCompaction.compact(c);
        }
        Compaction done = new Compaction(at, deleted);
        lastCompaction.set(done);
        return done;
    }

    /** The newest backup in the directory, or null. */
    private static Backup newestIn(Path dir) {
        if (!Files.isDirectory(dir)) {
            return null;
        }
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().matches("journal-.*\\.zip")
                            || Files.isRegularFile(f.resolve(PostgresExport.MANIFEST)))
                    .max(Path::compareTo)
                    .map(f -> {
                        try {
                            return new Backup(
                                    f,
                                    Files.isDirectory(f) ? sizeOf(f) : Files.size(f),
                                    Files.getLastModifiedTime(f).toInstant());
                        } catch (IOException e) {
                            return null;
                        }
                    })
                    .orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    private static long sizeOf(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            long total = 0;
            for (Path f : files.toList()) {
                total += Files.size(f);
            }
            return total;
        }
    }

    /**
     * The journal's health: rows per table, events written since the newest snapshot of any entity, the last backup
     * with its age, and this node's last compaction.
     */
    public Map<String, Object> health() throws SQLException {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("kind", journal.kind().configName());
        Map<String, Long> tables = new LinkedHashMap<>();
        try (Connection c = connect();
                Statement s = c.createStatement()) {
            for (String table : new String[] {"event_journal", "event_tag", "snapshot"}) {
                try (ResultSet r = s.executeQuery("SELECT COUNT(*) FROM \"" + table + "\"")) {
                    r.next();
                    tables.put(table, r.getLong(1));
                }
            }
            try (ResultSet r = s.executeQuery("SELECT COUNT(*) FROM \"event_journal\" e WHERE e.\"sequence_number\""
                    + " > COALESCE((SELECT MAX(sn.\"sequence_number\") FROM \"snapshot\" sn"
                    + " WHERE sn.\"persistence_id\" = e.\"persistence_id\"), 0)")) {
                r.next();
                out.put("eventsSinceSnapshot", r.getLong(1));
            }
        }
        out.put("tables", tables);
        Backup b = last.get();
        if (b == null) {
            out.put("lastBackup", null);
        } else {
            Map<String, Object> backup = new LinkedHashMap<>();
            backup.put("file", b.file().toString());
            backup.put("bytes", b.bytes());
            backup.put("at", b.at().toString());
            backup.put("ageSeconds", Duration.between(b.at(), Instant.now()).toSeconds());
            out.put("lastBackup", backup);
        }
        out.put("backupDir", backupDir.toAbsolutePath().toString());
        Compaction compaction = lastCompaction.get();
        out.put(
                "lastCompaction",
                compaction == null
                        ? null
                        : Map.of("at", compaction.at().toString(), "eventsDeleted", compaction.eventsDeleted()));
        return out;
    }
}

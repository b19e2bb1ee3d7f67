package io.mycelium.cli;

import io.mycelium.node.journal.PostgresExport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mycelium journal restore}: puts an H2 journal backup in place of a node's journal (the node stopped), or
 * restores a PostgreSQL export into an empty schema.
 */
@Command(
        name = "journal",
        description = "Operate on a node's journal.",
        mixinStandardHelpOptions = true,
        subcommands = {JournalCommand.Restore.class})
final class JournalCommand {

    @Command(
            name = "restore",
            description = {
                "Restore the journal from a backup (POST /api/v1/journal/backup, or the periodic ones) while the node",
                "is stopped. H2 (a journal-<time>.zip): the journal it replaces is moved aside to",
                "journal.broken-<time>, not deleted. PostgreSQL (a journal-<time>/ directory): --url names an EMPTY",
                "schema (?currentSchema=NAME); the files' hashes are checked against manifest.json first."
            },
            mixinStandardHelpOptions = true)
    static final class Restore implements Callable<Integer> {
        @Option(
                names = "--backup",
                required = true,
                paramLabel = "PATH",
                description = "The backup: an H2 zip, or a PostgreSQL export directory.")
        Path backup;

        @Option(
                names = "--data-dir",
                paramLabel = "DIR",
                description = "The node's data dir (default ./data); the journal is DIR/journal.")
        Path dataDir = Path.of("data");

        @Option(
                names = "--url",
                paramLabel = "JDBC",
                description =
                        "PostgreSQL only: the target, e.g. jdbc:postgresql://127.0.0.1:5432/mycelium?currentSchema=restored.")
        String url;

        @Option(names = "--user", paramLabel = "ROLE", description = "PostgreSQL only: the role (default mycelium).")
        String user = "mycelium";

        @Option(
                names = "--password-env",
                paramLabel = "VAR",
                description = "PostgreSQL only: the environment variable holding the password (default PGPASSWORD;"
                        + " unset: the URL's password= parameter, if any).")
        String passwordEnv = "PGPASSWORD";

        @Override
        public Integer call() throws Exception {
            if (!Files.isReadable(backup)) {
                System.err.println("mycelium: cannot read the backup " + backup);
                return 2;
            }
            if (Files.isDirectory(backup)) {
                return restorePostgres();
            }
            Path journal = dataDir.resolve("journal");
            if (Files.exists(journal)) {
                Path aside = dataDir.resolve("journal.broken-" + Instant.now().toEpochMilli());
                Files.move(journal, aside);
                System.err.println("mycelium: moved the journal aside to " + aside);
            }
            Files.createDirectories(journal);
            org.h2.tools.Restore.execute(backup.toString(), journal.toString(), null);
            System.err.println("mycelium: restored " + backup + " into " + journal + "; start the node");
            return 0;
        }

        private int restorePostgres() throws Exception {
            if (url == null || !url.startsWith("jdbc:postgresql:")) {
                System.err.println("mycelium: " + backup + " is a PostgreSQL export: give --url jdbc:postgresql://..."
                        + "?currentSchema=NAME of an empty schema");
                return 2;
            }
            Properties login = new Properties();
            login.setProperty("user", user);
            // Unset: the URL's own password= parameter, or none.
            String password = System.getenv(passwordEnv);
            if (password != null) {
                login.setProperty("password", password);
            }
            try (Connection c = DriverManager.getConnection(url, login)) {
                Map<String, Long> rows = PostgresExport.restore(c, backup);
                System.err.println("mycelium: restored " + backup + " into " + url + " " + rows + "; start the node");
                return 0;
            } catch (IllegalArgumentException e) {
                System.err.println("mycelium: " + e.getMessage());
                return 2;
            }
        }
    }
}

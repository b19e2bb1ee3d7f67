package io.mycelium.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mycelium journal restore}: puts an H2 journal backup in place of a node's journal (the node stopped). */
@Command(
        name = "journal",
        description = "Operate on a node's embedded H2 journal.",
        mixinStandardHelpOptions = true,
        subcommands = {JournalCommand.Restore.class})
final class JournalCommand {

    @Command(
            name = "restore",
            description = {
                "Restore the journal from a backup (POST /api/v1/journal/backup, or the periodic ones) while the node",
                "is stopped. The journal it replaces is moved aside to journal.broken-<time>, not deleted."
            },
            mixinStandardHelpOptions = true)
    static final class Restore implements Callable<Integer> {
        @Option(names = "--backup", required = true, paramLabel = "ZIP", description = "The backup file.")
        Path backup;

        @Option(
                names = "--data-dir",
                paramLabel = "DIR",
                description = "The node's data dir (default ./data); the journal is DIR/journal.")
        Path dataDir = Path.of("data");

        @Override
        public Integer call() throws Exception {
            if (!Files.isReadable(backup)) {
                System.err.println("mycelium: cannot read the backup " + backup);
                return 2;
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
    }
}

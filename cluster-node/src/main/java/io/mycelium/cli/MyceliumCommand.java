package io.mycelium.cli;

import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code mycelium} command line: one subcommand per job. */
@Command(
        name = "mycelium",
        mixinStandardHelpOptions = true,
        version = "mycelium 0.1.0",
        description = "Run work on many machines without installing anything there first.",
        subcommands = {
            NodeCommand.class,
            ExecCommand.class,
            PutCommand.class,
            GetCommand.class,
            CacheCommand.class,
            WasmCommand.class,
            SporeCommand.class,
            RepoCommand.class,
            PlanCommand.class,
            MeshCommand.class,
            TaskCommand.class,
            JournalCommand.class,
            CommandLine.HelpCommand.class
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success (exec: the command's own exit code is returned)",
            "1:exec --hosts-file: at least one host failed (the summary line on stderr names them)",
            "3:spore: the spore was refused (unsafe entry, too large, missing file, wrong hash, bad signature,"
                    + " untrusted key)",
            "124:exec: the command ran past --timeout and was killed",
            "125:Mycelium itself failed (connection, protocol, file errors)",
            "127:exec: the command could not be started"
        })
public final class MyceliumCommand {
    private MyceliumCommand() {}

    /** Runs the CLI and exits with its status. */
    public static void main(String[] args) {
        // Initialise logging before any thread logs, or SLF4J replays early calls with a warning on stderr.
        LoggerFactory.getILoggerFactory();
        System.exit(run(args));
    }

    static int run(String[] args) {
        return new CommandLine(new MyceliumCommand())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler(new ErrorReporter())
                .execute(args);
    }
}

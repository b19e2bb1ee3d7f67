package io.mycelium.cli;

import picocli.CommandLine.Option;

/** The {@code --verbose} switch shared by every subcommand. */
final class Verbosity {
    @Option(
            names = {"-v", "--verbose"},
            description = "Print summaries, and the whole cause chain on errors.")
    boolean verbose;
}

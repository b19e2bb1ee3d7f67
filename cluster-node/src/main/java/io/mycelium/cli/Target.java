package io.mycelium.cli;

import io.mycelium.Session;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** Where a command runs. Only the local agent exists so far; SSH hosts come with the bootstrap. */
final class Target {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Choice choice;

    static final class Choice {
        @Option(names = "--local", required = true, description = "Run through an agent on this machine.")
        boolean local;
    }

    Session session() {
        return Session.local();
    }
}

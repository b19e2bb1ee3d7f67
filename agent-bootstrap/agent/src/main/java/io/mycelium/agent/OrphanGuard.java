package io.mycelium.agent;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Makes sure no process the agent started outlives it, even when the agent is killed with SIGKILL and runs no code of
 * its own. A small perl watchdog, in its own process group, holds the process group of every execution, also after
 * its leader exited (a background child may live on in the group); the agent keeps a pipe to its stdin. When the agent
 * dies the kernel closes the pipe, and the watchdog kills every group it still holds. Groups with no process left are
 * pruned as new ones arrive. Cancellation and timeouts use the same watchdog to signal a whole group, which Java cannot
 * do itself.
 */
final class OrphanGuard {
    private static final String SCRIPT = String.join(
            "\n",
            "$SIG{HUP} = $SIG{INT} = $SIG{TERM} = $SIG{PIPE} = 'IGNORE';",
            "setpgrp(0, 0);",
            "my %groups;",
            "$| = 1;",
            "while (my $line = <STDIN>) {",
            "  if ($line =~ /^\\+(\\d+)$/) {",
            "    $groups{$1} = 1;",
            "    if (keys(%groups) > 256) { for my $g (keys %groups) { delete $groups{$g} unless kill 0, -$g; } }",
            "  }",
            "  elsif ($line =~ /^!(\\d+)$/) { kill 'KILL', -$1; }",
            "}",
            "kill 'KILL', map { -$_ } keys %groups;",
            "exit 0;");

    private final Process watchdog;
    private final OutputStream commands;

    private OrphanGuard(Process watchdog) {
        this.watchdog = watchdog;
        this.commands = watchdog == null ? null : watchdog.getOutputStream();
    }

    /** Starts the watchdog with {@code perl}, or a guard that does nothing when there is no perl. */
    static OrphanGuard start(String perl) {
        if (perl == null) {
            return new OrphanGuard(null);
        }
        try {
            ProcessBuilder pb = new ProcessBuilder(perl, "-e", SCRIPT)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.INHERIT);
            return new OrphanGuard(pb.start());
        } catch (IOException e) {
            System.err.println("mycelium-agent: no orphan watchdog (" + e.getMessage() + ")");
            return new OrphanGuard(null);
        }
    }

    boolean active() {
        return watchdog != null && watchdog.isAlive();
    }

    /** Holds process group {@code pgid} until {@link #release}. */
    void hold(long pgid) {
        command("+" + pgid);
    }

    /** Sends SIGKILL to every process in group {@code pgid}. */
    void killGroup(long pgid) {
        command("!" + pgid);
    }

    /** Closes the pipe: the watchdog kills what it still holds and exits. */
    void close() {
        if (commands != null) {
            try {
                commands.close();
            } catch (IOException ignored) {
                // The watchdog is gone already; it saw EOF either way.
            }
        }
    }

    private synchronized void command(String line) {
        if (commands == null) {
            return;
        }
        try {
            commands.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
            commands.flush();
        } catch (IOException e) {
            System.err.println("mycelium-agent: orphan watchdog unreachable: " + e.getMessage());
        }
    }
}

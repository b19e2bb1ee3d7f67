package io.mycelium.cli;

import io.mycelium.Session;
import io.mycelium.SshSession;
import io.mycelium.transport.OpenSsh;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Where a command runs: this machine's agent, or a host reached over SSH. */
final class Target {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Choice choice;

    @Mixin
    Ssh ssh;

    Session session() {
        return ssh.session(choice);
    }

    /** {@code --local} or {@code --host}. */
    static final class Choice {
        @Option(names = "--local", required = true, description = "Run through an agent on this machine.")
        boolean local;

        @Option(
                names = "--host",
                required = true,
                paramLabel = "USER@ADDR[:PORT]",
                description = "Run on this host over SSH; the agent is started there, nothing is installed.")
        String host;
    }

    /** How to reach a {@code --host}: the options of every command that can run on one. */
    static final class Ssh {
        @Option(
                names = {"-i", "--identity"},
                paramLabel = "KEYFILE",
                description = "With --host: log in with this private key only.")
        Path identity;

        @Option(
                names = "--known-hosts",
                paramLabel = "FILE",
                description = "With --host: check host keys against this file instead of ~/.ssh/known_hosts.")
        Path knownHosts;

        @Option(
                names = "--accept-new-host-key",
                description = "With --host: trust a host seen for the first time (a changed key is still refused).")
        boolean acceptNew;

        @Option(
                names = "--transport",
                paramLabel = "CLIENT",
                defaultValue = "openssh",
                description = "With --host: the SSH client, openssh (the ssh program, honours ~/.ssh/config; the"
                        + " default) or mina (Apache MINA SSHD inside this JVM).")
        SshSession.Client transport;

        @Option(
                names = "--jump",
                paramLabel = "USER@HOST[:PORT]",
                description = "With --host: reach the host through this jump host (repeatable, first hop first; as"
                        + " ssh -J). -i, --known-hosts and --accept-new-host-key apply to every hop.")
        List<String> jumps = List.of();

        /** The session {@code choice} names, with these options. */
        Session session(Choice choice) {
            if (choice.host == null) {
                return Session.local();
            }
            SshSession ssh = Session.ssh(choice.host);
            if (identity != null) {
                ssh = ssh.identity(identity);
            }
            if (knownHosts != null) {
                ssh = ssh.knownHosts(knownHosts);
            }
            if (acceptNew) {
                ssh = ssh.hostKeyPolicy(OpenSsh.HostKeyPolicy.ACCEPT_NEW);
            }
            for (String jump : jumps) {
                ssh = ssh.jump(jump);
            }
            return ssh.transport(transport).build();
        }
    }
}

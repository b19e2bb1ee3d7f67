package io.mycelium.cli;

import io.mycelium.bootstrap.BootstrapPlan;
import io.mycelium.transport.CommandTransport;
import io.mycelium.transport.JavaRuntime;
import io.mycelium.transport.OpenSsh;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code mycelium cache}: what Mycelium keeps on hosts, and how to remove it. */
@Command(
        name = "cache",
        description = "Manage what Mycelium caches: ~/.cache/mycelium (a shipped Java runtime, agent jars).",
        mixinStandardHelpOptions = true,
        subcommands = {CacheCommand.Clear.class})
final class CacheCommand {
    private CacheCommand() {}

    /** {@code mycelium cache clear}: removes the cache, on a host over plain SSH (no agent needed) or locally. */
    @Command(
            name = "clear",
            description = "Remove ~/.cache/mycelium on the target; works even when the agent cannot start there.",
            mixinStandardHelpOptions = true)
    static final class Clear implements Callable<Integer> {

        @Mixin
        Target target;

        @Mixin
        Verbosity verbosity;

        @Override
        public Integer call() throws IOException {
            if (target.choice.container() != null) {
                throw new IllegalArgumentException("cache clear works with --local or --host; in a container, run"
                        + " exec -- rm -rf '$HOME/.cache/mycelium' there");
            }
            if (target.escalation.become != null) {
                throw new IllegalArgumentException("cache clear removes the login user's cache with plain ssh, without"
                        + " an agent: drop --become");
            }
            if (target.choice.host == null) {
                Path dir = Path.of(System.getProperty("user.home"), ".cache", "mycelium");
                deleteTree(dir);
                System.err.println("mycelium: removed " + dir);
                return 0;
            }
            // Plain ssh, whatever --transport says: the point is to work where the agent is refused.
            if (!target.ssh.vias.isEmpty()) {
                throw new IllegalArgumentException("cache clear runs plain ssh from this machine, without agents on"
                        + " the way: reach the host with --jump instead of --via");
            }
            OpenSsh.Address address = OpenSsh.Address.parse(target.choice.host);
            String name = target.choice.host;
            OpenSsh.Target ssh = new OpenSsh.Target(
                    address.host(),
                    address.user(),
                    address.port(),
                    target.ssh.identity,
                    target.ssh.knownHosts,
                    target.ssh.acceptNew ? OpenSsh.HostKeyPolicy.ACCEPT_NEW : OpenSsh.HostKeyPolicy.STRICT,
                    Duration.ofSeconds(15),
                    target.ssh.sshOptions,
                    target.ssh.jumps.stream().map(OpenSsh.Address::parse).toList());
            CommandTransport transport = OpenSsh.transport(
                    ssh,
                    new CommandTransport.Options(
                            BootstrapPlan.JarPlacement.AUTO, JavaRuntime.embedded(), true, Duration.ofSeconds(60)));
            CommandTransport.ShellResult r = transport.runShell(
                    "rm -rf \"$HOME/.cache/mycelium\" && echo \"$HOME/.cache/mycelium\"", Duration.ofSeconds(60));
            if (r.exitCode() != 0) {
                System.err.println("mycelium: could not clear the cache on " + name + ": "
                        + r.stderr().strip());
                return ErrorReporter.MYCELIUM_FAILED;
            }
            System.err.println("mycelium: removed " + r.stdout().strip() + " on " + name);
            return 0;
        }

        private static void deleteTree(Path dir) throws IOException {
            if (!Files.exists(dir)) {
                return;
            }
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}

package io.mycelium.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mycelium.testhosts.RequiresDocker;
import io.mycelium.testhosts.TestHost;
import io.mycelium.testhosts.TestHostImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code mycelium exec --host} over each {@code --transport}, against a read-only host without Java (the runtime is
 * shipped into /dev/shm) that must be left as it was found.
 */
@RequiresDocker
class CliSshIT {
    static TestHost host;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        host = TestHost.start(TestHostImage.DEBIAN_RO);
    }

    @AfterAll
    static void stop() {
        if (host != null) {
            host.close();
        }
    }

    private static String target() {
        return host.user() + "@" + host.address() + ":" + host.port();
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssh", "mina"})
    void execOnAReadOnlyHostPrintsItsKernelAndLeavesNothing(String transport) throws Exception {
        Cli.Result r = Cli.run(
                "exec",
                "--host",
                target(),
                "-i",
                host.privateKey().toString(),
                "--known-hosts",
                host.knownHostsFile().toString(),
                "--transport",
                transport,
                "--",
                "uname",
                "-a");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        // The container runs on this machine's kernel.
        assertThat(r.stdoutText()).startsWith("Linux ").contains(System.getProperty("os.version"));
        assertThat(leftoversWithin(10)).as("left on the host").isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssh", "mina"})
    void withoutAKeyFileTheSshAgentLogsIn(String transport) throws Exception {
        Path socket = dir.resolve("agent.sock");
        Process agent = new ProcessBuilder("ssh-agent", "-D", "-a", socket.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("agent.log").toFile())
                .start();
        try {
            for (int i = 0; i < 100 && !Files.exists(socket); i++) {
                Thread.sleep(20);
            }
            ProcessBuilder sshAdd =
                    new ProcessBuilder("ssh-add", host.privateKey().toString()).redirectErrorStream(true);
            sshAdd.environment().put("SSH_AUTH_SOCK", socket.toString());
            Process add = sshAdd.start();
            add.getOutputStream().close();
            String said = new String(add.getInputStream().readAllBytes());
            assertThat(add.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(add.exitValue()).as(said).isZero();
            Cli.Result r = Cli.run(
                    Map.of("SSH_AUTH_SOCK", socket.toString()),
                    List.of("-Xmx256m", "-XX:+UseSerialGC"),
                    "exec",
                    "--host",
                    target(),
                    "--known-hosts",
                    host.knownHostsFile().toString(),
                    "--transport",
                    transport,
                    "--",
                    "echo",
                    "via the agent");
            assertThat(r.exitCode()).as(r.stderr()).isZero();
            assertThat(r.stdoutText()).isEqualTo("via the agent\n");
        } finally {
            agent.destroy();
            agent.waitFor(5, TimeUnit.SECONDS);
        }
        assertThat(leftoversWithin(10)).as("left on the host").isEmpty();
    }

    /** What of ours is on the host, waiting up to {@code seconds} for the agent's exit to clean up. */
    private static String leftoversWithin(int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            String found = host.exec(
                            "sh",
                            "-c",
                            "find /dev/shm /tmp /home/mycelium -mindepth 1 -maxdepth 2 -iname '*mycelium*'"
                                    + " 2>/dev/null || true")
                    .stdout()
                    .strip();
            if (found.isEmpty() || System.nanoTime() - deadline > 0) {
                return found;
            }
            Thread.sleep(100);
        }
    }
}

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

    @org.junit.jupiter.api.Test
    void wasmRunsOnAReadOnlyHostWithoutJavaAndLeavesNothing() throws Exception {
        Path modules = Path.of("..", "wasm-runtime", "target", "test-wasm")
                .toAbsolutePath()
                .normalize();
        String[] login = {
            "--host",
            target(),
            "-i",
            host.privateKey().toString(),
            "--known-hosts",
            host.knownHostsFile().toString()
        };
        Cli.Result echo = Cli.runWithInput(
                "{\"greeting\": \"hi\", \"n\": [1, 2]}".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                concat(new String[] {"wasm", "run"}, login, new String[] {
                    modules.resolve("echo.wasm").toString()
                }));
        assertThat(echo.exitCode()).as(echo.stderr()).isZero();
        assertThat(echo.stdoutText().strip()).isEqualTo("{\"echo\":{\"greeting\":\"hi\",\"n\":[1,2]}}");

        Cli.Result loop = Cli.runWithInput(
                "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                concat(new String[] {"wasm", "run", "--timeout", "1s"}, login, new String[] {
                    modules.resolve("loop.wasm").toString()
                }));
        assertThat(loop.exitCode()).as(loop.stderr()).isEqualTo(124);
        assertThat(loop.stderr()).contains("time limit of 1 s");

        Cli.Result notJson = Cli.runWithInput(
                "not json".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                concat(new String[] {"wasm", "run"}, login, new String[] {
                    modules.resolve("echo.wasm").toString()
                }));
        assertThat(notJson.exitCode()).as(notJson.stderr()).isEqualTo(120);
        assertThat(leftoversWithin(15)).as("left on the host").isEmpty();
    }

    private static String[] concat(String[]... parts) {
        return java.util.Arrays.stream(parts).flatMap(java.util.Arrays::stream).toArray(String[]::new);
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

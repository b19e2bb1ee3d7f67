package io.mycelium.testhosts;

import static org.assertj.core.api.Assertions.assertThat;

import io.mycelium.testhosts.TestHost.Options;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Starts real test hosts and logs in to them with this machine's OpenSSH client. */
@RequiresDocker
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TestHostIT {

    @Test
    void hostsRunTheImagesOfThisCheckoutsRecipe() throws IOException {
        Path recipe = Path.of("..", "docker", ".cache", "recipe");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(recipe), "docker/build.sh has not run here");
        String tag = Files.readString(recipe).strip();
        assertThat(TestHost.imageReference(TestHostImage.DEBIAN_MIN)).isEqualTo("mycelium/debian_min:" + tag);
        try (TestHost host = TestHost.start(TestHostImage.BASTION)) {
            assertThat(host.exec("true").ok()).isTrue();
            assertThat(org.testcontainers.DockerClientFactory.instance()
                            .client()
                            .inspectContainerCmd(host.containerId())
                            .exec()
                            .getConfig()
                            .getImage())
                    .isEqualTo("mycelium/bastion:" + tag);
        }
    }

    @Test
    void debianMinTakesTheUserKeyAndHasJava17() {
        try (TestHost host = TestHost.start(TestHostImage.DEBIAN_MIN)) {
            assertThat(host.address()).matches("127\\.0\\.0\\.\\d+");
            assertThat(host.port()).isEqualTo(2222);
            assertThat(host.user()).isEqualTo("mycelium");
            assertThat(host.hostKeyLine()).startsWith("[" + host.address() + "]:2222 ssh-ed25519 AAAA");

            // The command line spelled out, as a user would type it.
            Run run = run(List.of(
                    "ssh",
                    "-T",
                    "-F",
                    "/dev/null",
                    "-o",
                    "BatchMode=yes",
                    "-o",
                    "UserKnownHostsFile=" + host.knownHostsFile(),
                    "-o",
                    "StrictHostKeyChecking=yes",
                    "-i",
                    host.privateKey().toString(),
                    "-p",
                    Integer.toString(host.port()),
                    "mycelium@" + host.address(),
                    "java -version; id -un"));
            assertThat(run.exitCode).as(run.toString()).isZero();
            assertThat(run.stdout.strip()).isEqualTo("mycelium");
            assertThat(run.stderr).contains("version \"17.");

            // And the same through sshCommand(), which tests elsewhere use.
            Run uid = run(host.sshCommand("id -u; java -version 2>&1 | head -n 1"));
            assertThat(uid.stdout).as(uid.toString()).startsWith("1000\n").contains("\"17.");

            TestHost.CommandResult inside = host.exec("pgrep", "-x", "sshd");
            assertThat(inside.ok()).as(inside.toString()).isTrue();
            assertThat(host.exec("sh", "-c", "ls -l /run/mycelium-ssh").stdout())
                    .contains("authorized_keys");
        }
    }

    @Test
    void debianRoIsReadOnlyWithoutJavaWithAnExecShmAnd256MiB() {
        try (TestHost host = TestHost.start(TestHostImage.DEBIAN_RO)) {
            String script = String.join(
                    "\n",
                    "if touch ~/probe 2>/dev/null; then echo root=writable; else echo root=read-only; fi",
                    "touch ~/probe 2>&1 | grep -q 'Read-only file system' && echo erofs=yes",
                    "echo mount=$(awk '$2 == \"/\" { split($4, o, \",\"); print o[1] }' /proc/mounts)",
                    "if command -v java >/dev/null; then echo java=yes; else echo java=no; fi",
                    "cp /bin/true /dev/shm/true.$$ && /dev/shm/true.$$ && echo shm=exec; rm -f /dev/shm/true.$$",
                    "echo memory=$(cat /sys/fs/cgroup/memory.max 2>/dev/null"
                            + " || cat /sys/fs/cgroup/memory/memory.limit_in_bytes)",
                    "perl -e 'print \"perl=ok\\n\"'");
            Run run = run(host.sshCommand(script));
            assertThat(run.exitCode).as(run.toString()).isZero();
            assertThat(run.stdout.lines())
                    .as(run.toString())
                    .contains(
                            "root=read-only",
                            "erofs=yes",
                            "mount=ro",
                            "java=no",
                            "shm=exec",
                            "memory=" + 256L * 1024 * 1024,
                            "perl=ok");
        }
    }

    @Test
    void noexecShmIsNoexec() {
        Options options = Options.defaults(TestHostImage.NOJAVA).withShmExec(false);
        try (TestHost host = TestHost.start(TestHostImage.NOJAVA, options)) {
            Run run = run(host.sshCommand("cp /bin/true /dev/shm/t && /dev/shm/t; echo exit=$?"));
            assertThat(run.stdout).as(run.toString()).contains("exit=126");
            Run noJava = run(host.sshCommand("command -v java || echo none"));
            assertThat(noJava.stdout.strip()).isEqualTo("none");
        }
    }

    @Test
    void twoHostsAtOnceGetDifferentAddresses() {
        CompletableFuture<TestHost> a = CompletableFuture.supplyAsync(() -> TestHost.start(TestHostImage.NOJAVA));
        CompletableFuture<TestHost> b = CompletableFuture.supplyAsync(() -> TestHost.start(TestHostImage.BASTION));
        try (TestHost first = a.join();
                TestHost second = b.join()) {
            assertThat(first.address()).isNotEqualTo(second.address());
            assertThat(first.containerId()).isNotEqualTo(second.containerId());
            assertThat(first.privateKey()).isNotEqualTo(second.privateKey());
            assertThat(run(first.sshCommand("echo one")).stdout.strip()).isEqualTo("one");
            Run bastionSsh = run(second.sshCommand("command -v ssh && echo two"));
            assertThat(bastionSsh.stdout.strip()).as(bastionSsh.toString()).isEqualTo("/usr/bin/ssh\ntwo");
            // Each sshd listens on its own address only.
            assertThat(run(first.sshCommand("hostname")).exitCode).isZero();
            assertThat(LoopbackAddresses.bindable(first.address(), 2222)).isFalse();
        } finally {
            // If one start failed, the other host must not leak.
            a.thenAccept(TestHost::close);
            b.thenAccept(TestHost::close);
        }
    }

    @Test
    void anUnknownHostKeyIsRefused(@TempDir Path tmp) throws IOException {
        Path empty = Files.createFile(tmp.resolve("known_hosts"));
        try (TestHost host = TestHost.start(TestHostImage.NOJAVA)) {
            List<String> command = new ArrayList<>(host.sshCommand("echo in"));
            command.replaceAll(arg -> arg.startsWith("UserKnownHostsFile=") ? "UserKnownHostsFile=" + empty : arg);
            Run refused = run(command);
            assertThat(refused.exitCode).as(refused.toString()).isEqualTo(255);
            assertThat(refused.stderr).contains("Host key verification failed");
            assertThat(refused.stdout).isEmpty();
            assertThat(Files.size(empty)).isZero();
        }
    }

    @Test
    void allowFromAdmitsOnlyThatSourceAddress() {
        try (TestHost bastion = TestHost.start(TestHostImage.BASTION);
                TestHost inner = TestHost.start(
                        TestHostImage.NOJAVA,
                        Options.defaults(TestHostImage.NOJAVA).withAllowFrom(bastion.address()))) {
            Run direct = run(inner.sshCommand("echo in"));
            assertThat(direct.exitCode).as(direct.toString()).isEqualTo(255);
            assertThat(direct.stderr).contains("Permission denied");

            List<String> fromBastion = new ArrayList<>(inner.sshCommand("echo in"));
            fromBastion.addAll(1, List.of("-b", bastion.address()));
            Run bound = run(fromBastion);
            assertThat(bound.exitCode).as(bound.toString()).isZero();
            assertThat(bound.stdout.strip()).isEqualTo("in");
        }
    }

    @Test
    void userPasswordWorksForSudoAndDoas() {
        Options options = Options.defaults(TestHostImage.DEBIAN_MIN).withUserPassword("s3cret pass");
        try (TestHost host = TestHost.start(TestHostImage.DEBIAN_MIN, options)) {
            Run sudo = run(host.sshCommand("echo 's3cret pass' | sudo -S -k -p '' id -u"));
            assertThat(sudo.stdout.strip()).as(sudo.toString()).isEqualTo("0");
            Run withoutPassword = run(host.sshCommand("sudo -n -k id -u"));
            assertThat(withoutPassword.stderr).as(withoutPassword.toString()).contains("password is required");
            assertThat(host.exec("cat", "/etc/doas.conf").stdout()).contains("permit :sudo");
        }
    }

    @Test
    void pauseRestartAndKillBehaveLikeARealHost() throws IOException {
        try (TestHost host = TestHost.start(TestHostImage.NOJAVA)) {
            String hostKey = host.hostKeyLine();

            host.pause();
            assertThat(banner(host)).isNull(); // the kernel accepts, nobody answers
            host.unpause();
            assertThat(banner(host)).startsWith("SSH-2.0-OpenSSH");

            host.exec("sh", "-c", "echo before > /run/marker");
            host.restart();
            assertThat(host.exec("cat", "/run/marker").ok()).isFalse(); // /run is a fresh tmpfs
            assertThat(host.hostKeyLine()).isEqualTo(hostKey);
            assertThat(run(host.sshCommand("echo back")).stdout.strip()).isEqualTo("back");

            assertThat(host.signal("no-such-process", "TERM")).isFalse();
            host.killSshd();
            Run down = run(host.sshCommand("echo up"));
            assertThat(down.exitCode).isEqualTo(255);
            assertThat(down.stderr).contains("Connection refused");
            host.restart();
            assertThat(run(host.sshCommand("echo up")).stdout.strip()).isEqualTo("up");
            assertThat(host.logs()).contains("mycelium-test-host: host key: ssh-ed25519");
        }
    }

    /** The first line the host sends within 1 s, or null when it sends nothing. */
    private static String banner(TestHost host) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host.address(), host.port()), 1000);
            socket.setSoTimeout(1000);
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int c; (c = in.read()) != -1 && c != '\n'; ) {
                line.append((char) c);
            }
            return line.toString().strip();
        } catch (SocketTimeoutException e) {
            return null;
        }
    }

    record Run(int exitCode, String stdout, String stderr) {}

    /** Runs a local command with no stdin, at most 60 s. */
    static Run run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
            String stdout = readAll(process.getInputStream());
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("still running after 60 s: " + command);
            }
            return new Run(process.exitValue(), stdout, stderr.join());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static String readAll(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.mycelium.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mycelium.testhosts.RequiresDocker;
import io.mycelium.testhosts.TestHost;
import io.mycelium.testhosts.TestHostImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code mycelium exec --hosts-file F --via BASTION}: three inner hosts admit SSH only from the bastion's address, so
 * every host is reached through the bastion's agent over this machine's one connection. One key serves every host,
 * as a user's would.
 */
@RequiresDocker
class CliFanOutIT {
    static TestHost bastion;
    static List<TestHost> inner = new ArrayList<>();
    static Path knownHosts;
    static Path key;

    @BeforeAll
    static void start() throws Exception {
        bastion = TestHost.start(TestHostImage.BASTION);
        for (int i = 0; i < 3; i++) {
            inner.add(TestHost.start(
                    TestHostImage.DEBIAN_MIN,
                    TestHost.Options.defaults(TestHostImage.DEBIAN_MIN).withAllowFrom(bastion.address())));
        }
        key = inner.get(0).privateKey();
        String publicKey = Files.readString(Path.of(key + ".pub")).strip();
        StringBuilder known = new StringBuilder(bastion.hostKeyLine() + "\n");
        for (TestHost host : List.of(bastion, inner.get(1), inner.get(2))) {
            TestHost.CommandResult added =
                    host.exec("sh", "-c", "printf '%s\\n' \"$0\" >> /run/mycelium-ssh/authorized_keys", publicKey);
            assertThat(added.exitCode()).as(added.stderr()).isZero();
        }
        for (TestHost host : inner) {
            known.append(host.hostKeyLine()).append('\n');
        }
        knownHosts = Files.createTempFile("mycelium-fanout-known-hosts", "");
        Files.writeString(knownHosts, known);
    }

    @AfterAll
    static void stop() throws Exception {
        inner.forEach(TestHost::close);
        if (bastion != null) {
            bastion.close();
        }
        if (knownHosts != null) {
            Files.deleteIfExists(knownHosts);
        }
    }

    private static String address(TestHost host) {
        return host.user() + "@" + host.address() + ":" + host.port();
    }

    private static Cli.Result exec(Path hostsFile, String... command) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "exec",
                "--hosts-file",
                hostsFile.toString(),
                "--via",
                address(bastion),
                "-i",
                key.toString(),
                "--known-hosts",
                knownHosts.toString(),
                "--ssh-option",
                "BindAddress=" + bastion.address(),
                "--parallel",
                "2",
                "--"));
        args.addAll(List.of(command));
        return Cli.run(List.of("-Xmx256m", "-XX:+UseSerialGC"), args.toArray(new String[0]));
    }

    private static Path hostsFile(String text) throws Exception {
        Path file = Files.createTempFile("mycelium-hosts", "");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void echoUpPrintsUpOncePerHostPrefixedByTheHost() throws Exception {
        Path file = hostsFile("# the web tier\n\n"
                + inner.stream().map(h -> address(h) + "\n").collect(Collectors.joining()));
        try {
            Cli.Result r = exec(file, "sh", "-c", "echo up; echo warn >&2");
            assertThat(r.exitCode()).as(r.stderr()).isZero();
            assertThat(r.stdoutText().lines().toList())
                    .containsExactlyInAnyOrderElementsOf(
                            inner.stream().map(h -> address(h) + " | up").toList());
            assertThat(r.stderr().lines().toList())
                    .containsAll(inner.stream().map(h -> address(h) + " | warn").toList())
                    .contains("3 ok, 0 failed");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void aFailingHostIsSummarisedAndTheExitIsNonZero() throws Exception {
        String down = inner.get(0).user() + "@" + inner.get(0).address() + ":1";
        Path file = hostsFile(address(inner.get(0)) + "\n" + down + "   # gone\n" + address(inner.get(1)) + "\n"
                + address(inner.get(2)) + "\n");
        try {
            Cli.Result r = exec(file, "echo", "up");
            assertThat(r.exitCode()).as(r.stderr()).isEqualTo(HostsExec.HOSTS_FAILED);
            assertThat(r.stdoutText().lines().toList())
                    .containsExactlyInAnyOrderElementsOf(
                            inner.stream().map(h -> address(h) + " | up").toList());
            assertThat(r.stderr()).contains(down + " | mycelium: ").contains("Connection refused");
            assertThat(r.stderr()
                            .lines()
                            .filter(l -> l.startsWith("3 ok, 1 failed: "))
                            .toList())
                    .singleElement()
                    .satisfies(l -> assertThat(l).contains(down + " (").contains("Connection refused"));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void aNonZeroExitFailsThatHost() throws Exception {
        Path file = hostsFile(inner.stream().map(h -> address(h) + "\n").collect(Collectors.joining()));
        String failing = address(inner.get(1));
        try {
            // The hosts share this machine's hostname (host networking): a file marks the one to fail.
            assertThat(inner.get(1).exec("touch", "/tmp/fail-here").exitCode()).isZero();
            Cli.Result r = exec(file, "sh", "-c", "test ! -e /tmp/fail-here || exit 4");
            assertThat(r.exitCode()).as(r.stderr()).isEqualTo(HostsExec.HOSTS_FAILED);
            assertThat(r.stderr()).contains("2 ok, 1 failed: " + failing + " (exit 4)");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void aMalformedLineIsNamed() throws Exception {
        Path file = hostsFile(address(inner.get(0)) + "\n# fine\nmycelium@host:port\n");
        try {
            Cli.Result r = exec(file, "echo", "up");
            assertThat(r.exitCode()).isEqualTo(ErrorReporter.MYCELIUM_FAILED);
            assertThat(r.stderr()).contains("hosts file " + file + ", line 3: ");
            assertThat(r.stdoutText()).isEmpty();
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void parallelNeedsAHostsFile() throws Exception {
        Cli.Result r =
                Cli.run(List.of("-Xmx256m", "-XX:+UseSerialGC"), "exec", "--local", "--parallel", "2", "--", "true");
        assertThat(r.exitCode()).isEqualTo(ErrorReporter.MYCELIUM_FAILED);
        assertThat(r.stderr()).contains("--parallel works with --hosts-file");
    }
}

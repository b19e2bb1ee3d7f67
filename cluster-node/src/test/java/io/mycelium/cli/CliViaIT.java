package io.mycelium.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mycelium.testhosts.RequiresDocker;
import io.mycelium.testhosts.TestHost;
import io.mycelium.testhosts.TestHostImage;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code mycelium exec --host INNER --via BASTION}: the inner host admits SSH only from the bastion's address (the
 * bastion's ssh binds it), so a direct connection is refused and the one through the bastion's agent works. One key
 * serves both hosts, as a user's would.
 */
@RequiresDocker
class CliViaIT {
    static TestHost bastion;
    static TestHost inner;
    static Path knownHosts;

    @BeforeAll
    static void start() throws Exception {
        bastion = TestHost.start(TestHostImage.BASTION);
        inner = TestHost.start(
                TestHostImage.DEBIAN_MIN,
                TestHost.Options.defaults(TestHostImage.DEBIAN_MIN).withAllowFrom(bastion.address()));
        String publicKey =
                Files.readString(Path.of(inner.privateKey() + ".pub")).strip();
        TestHost.CommandResult added =
                bastion.exec("sh", "-c", "printf '%s\\n' \"$0\" >> /run/mycelium-ssh/authorized_keys", publicKey);
        assertThat(added.exitCode()).as(added.stderr()).isZero();
        knownHosts = Files.createTempFile("mycelium-via-known-hosts", "");
        Files.writeString(knownHosts, bastion.hostKeyLine() + "\n" + inner.hostKeyLine() + "\n");
    }

    @AfterAll
    static void stop() throws Exception {
        if (inner != null) {
            inner.close();
        }
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

    @Test
    void execViaTheBastionWorksWhereDirectSshIsRefused() throws Exception {
        Cli.Result direct = Cli.run(
                "exec",
                "--host",
                address(inner),
                "-i",
                inner.privateKey().toString(),
                "--known-hosts",
                knownHosts.toString(),
                "--",
                "hostname");
        assertThat(direct.exitCode()).isEqualTo(ErrorReporter.MYCELIUM_FAILED);
        assertThat(direct.stderr()).contains("Permission denied");

        Cli.Result via = Cli.run(
                "exec",
                "--host",
                address(inner),
                "--via",
                address(bastion),
                "-i",
                inner.privateKey().toString(),
                "--known-hosts",
                knownHosts.toString(),
                "--ssh-option",
                "BindAddress=" + bastion.address(),
                "--",
                "hostname");
        assertThat(via.exitCode()).as(via.stderr()).isZero();
        assertThat(via.stdoutText()).isEqualTo(inner.exec("hostname").stdout());
    }

    @Test
    void aDeadHopIsNamed() throws Exception {
        Cli.Result r = Cli.run(
                "exec",
                "--host",
                address(inner),
                "--via",
                bastion.user() + "@" + bastion.address() + ":1",
                "-i",
                inner.privateKey().toString(),
                "--known-hosts",
                knownHosts.toString(),
                "--",
                "hostname");
        assertThat(r.exitCode()).isEqualTo(ErrorReporter.MYCELIUM_FAILED);
        assertThat(r.stderr()).contains(bastion.address() + ":1").contains("Connection refused");
    }
}

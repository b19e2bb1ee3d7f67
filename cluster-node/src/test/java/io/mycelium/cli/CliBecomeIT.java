package io.mycelium.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mycelium.testhosts.RequiresDocker;
import io.mycelium.testhosts.TestHost;
import io.mycelium.testhosts.TestHostImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code mycelium exec --host alice@INNER --via mycelium@BASTION --become sudo --become-password-env PW -- id -u}: the
 * inner host admits SSH only from the bastion, alice is in group sudo with a password, and the CLI reads it from the
 * environment variable named.
 */
@RequiresDocker
class CliBecomeIT {
    static final String ALICE_PW = "alice secret";
    static TestHost bastion;
    static TestHost inner;
    static Path knownHosts;

    @BeforeAll
    static void start() throws Exception {
        bastion = TestHost.start(TestHostImage.BASTION);
        inner = TestHost.start(
                TestHostImage.DEBIAN_MIN,
                TestHost.Options.defaults(TestHostImage.DEBIAN_MIN)
                        .withAllowFrom(bastion.address())
                        .withPassword("alice", ALICE_PW));
        if (!inner.exec("id", "alice").ok()) {
            throw new IllegalStateException(inner.image().imageName() + " has no user alice: an older"
                    + " docker/build.sh re-tagged it; run bash docker/build.sh");
        }
        String publicKey =
                Files.readString(Path.of(inner.privateKey() + ".pub")).strip();
        TestHost.CommandResult added =
                bastion.exec("sh", "-c", "printf '%s\\n' \"$0\" >> /run/mycelium-ssh/authorized_keys", publicKey);
        assertThat(added.exitCode()).as(added.stderr()).isZero();
        knownHosts = Files.createTempFile("mycelium-become-known-hosts", "");
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

    private static Cli.Result exec(Map<String, String> env, String... more) throws Exception {
        return command("exec", env, more);
    }

    private static Cli.Result command(String verb, Map<String, String> env, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                verb,
                "--host",
                "alice@" + inner.address() + ":" + inner.port(),
                "--via",
                bastion.user() + "@" + bastion.address() + ":" + bastion.port(),
                "-i",
                inner.privateKey().toString(),
                "--known-hosts",
                knownHosts.toString(),
                "--ssh-option",
                "BindAddress=" + bastion.address()));
        args.addAll(List.of(more));
        return Cli.run(env, List.of("-Xmx256m", "-XX:+UseSerialGC"), args.toArray(new String[0]));
    }

    @Test
    void sudoWithThePasswordFromTheEnvironmentPrintsRootsUid() throws Exception {
        Cli.Result r =
                exec(Map.of("PW", ALICE_PW), "--become", "sudo", "--become-password-env", "PW", "--", "id", "-u");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdoutText()).isEqualTo("0\n");

        Cli.Result asAlice = exec(Map.of(), "--", "id", "-un");
        assertThat(asAlice.stdoutText()).as(asAlice.stderr()).isEqualTo("alice\n");
    }

    @Test
    void putAndGetAsRoot() throws Exception {
        Path dir = Files.createTempDirectory("cli-become");
        try {
            Path local = Files.writeString(dir.resolve("motd"), "hello from the controller\n");
            Cli.Result put = command(
                    "put",
                    Map.of("PW", ALICE_PW),
                    "--become",
                    "sudo:root",
                    "--become-password-env",
                    "PW",
                    local.toString(),
                    "/root/motd");
            assertThat(put.exitCode()).as(put.stderr()).isZero();
            assertThat(inner.exec("stat", "-c", "%U %a", "/root/motd").stdout().strip())
                    .startsWith("root ");
            Path back = dir.resolve("back");
            Cli.Result get = command(
                    "get",
                    Map.of("PW", ALICE_PW),
                    "--become",
                    "sudo",
                    "--become-password-env",
                    "PW",
                    "/root/motd",
                    back.toString());
            assertThat(get.exitCode()).as(get.stderr()).isZero();
            assertThat(Files.readString(back)).isEqualTo("hello from the controller\n");
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void aWrongPasswordIsOneClearLine() throws Exception {
        Cli.Result r = exec(Map.of("PW", "not it"), "--become", "sudo:root", "--become-password-env", "PW", "--", "id");
        assertThat(r.exitCode()).isEqualTo(ErrorReporter.MYCELIUM_FAILED);
        assertThat(r.stderr().strip().lines().toList())
                .singleElement()
                .asString()
                .startsWith("mycelium: ")
                .contains("sudo to root refused the password")
                .doesNotContain("not it");
    }

    @Test
    void badBecomeOptionsAreRefusedBeforeConnecting() throws Exception {
        Cli.Result tool = exec(Map.of(), "--become", "pkexec", "--", "id");
        assertThat(tool.exitCode()).isNotZero();
        assertThat(tool.stderr()).contains("--become needs sudo, su or doas");

        Cli.Result unset =
                exec(Map.of(), "--become", "su", "--become-password-env", "MYCELIUM_NO_SUCH_VAR", "--", "id");
        assertThat(unset.exitCode()).isNotZero();
        assertThat(unset.stderr()).contains("MYCELIUM_NO_SUCH_VAR").contains("is not set");
    }
}

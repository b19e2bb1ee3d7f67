package io.mycelium;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mycelium.testhosts.RequiresDocker;
import io.mycelium.testhosts.TestHost;
import io.mycelium.testhosts.TestHostImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hosts with an allowed_signers file run only agents and runtimes signed by a key they trust. */
@RequiresDocker
class SshSignatureIT {
    private static final String TRUST = "/home/mycelium/.config/mycelium/allowed_signers";

    @TempDir
    Path dir;

    private Path trusted;
    private Path untrusted;

    @BeforeEach
    void keys() throws Exception {
        trusted = key("trusted");
        untrusted = key("untrusted");
    }

    @Test
    void hostWithJavaRunsOnlyASignedAgent() throws Exception {
        try (TestHost host = TestHost.start(TestHostImage.DEBIAN_MIN)) {
            trust(host, trusted);
            assertRefused(host, SshHosts.session(host).build(), "this controller has no signing key");
            assertRefused(
                    host,
                    SshHosts.session(host).signWith(untrusted).build(),
                    "the agent jar is not signed by a key in " + TRUST);
            try (Mycelium mycelium = Mycelium.standalone()) {
                Context context =
                        mycelium.open(SshHosts.session(host).signWith(trusted).build());
                assertThat(context.procExec("echo", "signed")
                                .get(60, TimeUnit.SECONDS)
                                .stdoutText())
                        .isEqualTo("signed\n");
            }
            assertThat(SshHosts.leftovers(host)).isEmpty();
        }
    }

    @Test
    void hostWithoutJavaTakesOnlyASignedRuntime() throws Exception {
        try (TestHost host = TestHost.start(TestHostImage.NOJAVA)) {
            trust(host, trusted);
            assertRefused(
                    host,
                    SshHosts.session(host).signWith(untrusted).build(),
                    "the Java runtime archive is not signed by a key in " + TRUST);
            try (Mycelium mycelium = Mycelium.standalone()) {
                AgentInfo info = mycelium.open(
                                SshHosts.session(host).signWith(trusted).build())
                        .ensureAgent()
                        .toCompletableFuture()
                        .get(120, TimeUnit.SECONDS);
                assertThat(info.loadPath()).contains("shipped Java");
            }
        }
    }

    private static void assertRefused(TestHost host, Session session, String reason) {
        try (Mycelium mycelium = Mycelium.standalone()) {
            ExecutionException e = assertThrows(
                    ExecutionException.class,
                    () -> mycelium.open(session)
                            .ensureAgent()
                            .toCompletableFuture()
                            .get(120, TimeUnit.SECONDS));
            assertThat(e.getCause()).isInstanceOf(BootstrapException.class).hasMessageContaining(reason);
        }
        assertThat(host.exec("sh", "-c", "ls -A /dev/shm | grep -c mycelium-sig || true")
                        .stdout()
                        .strip())
                .as("signature files left in /dev/shm")
                .isEqualTo("0");
    }

    private void trust(TestHost host, Path key) throws Exception {
        String line = "mycelium " + Files.readString(Path.of(key + ".pub")).strip();
        TestHost.CommandResult r = host.execAs(
                "mycelium",
                "sh",
                "-c",
                "mkdir -p /home/mycelium/.config/mycelium && printf '%s\\n' \"$0\" > " + TRUST,
                line);
        assertThat(r.exitCode()).as(r.stderr()).isZero();
    }

    private Path key(String name) throws Exception {
        Path key = dir.resolve(name);
        Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString())
                .redirectErrorStream(true)
                .start();
        assertThat(p.waitFor()).isZero();
        return key;
    }
}

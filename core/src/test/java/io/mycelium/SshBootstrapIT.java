package io.mycelium;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mycelium.testhosts.RequiresDocker;
import io.mycelium.testhosts.TestHost;
import io.mycelium.testhosts.TestHostImage;
import io.mycelium.transport.CommandTransport;
import io.mycelium.transport.MinaSsh;
import io.mycelium.transport.OpenSsh;
import io.mycelium.wire.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Bootstrap over real SSH onto real hosts: with Java, without Java on a read-only root, and where nothing can run; each
 * over both SSH clients.
 */
@RequiresDocker
class SshBootstrapIT {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(SshSession.Client.class)
    void hostWithJavaRunsTheAgentFromMemoryAndKeepsNothing(SshSession.Client client) throws Exception {
        try (TestHost host = TestHost.start(TestHostImage.DEBIAN_MIN);
                Mycelium mycelium = Mycelium.standalone()) {
            Session session = SshHosts.session(host, client).build();
            assertThat(session.transport())
                    .isInstanceOf(client == SshSession.Client.MINA ? MinaSsh.class : CommandTransport.class);
            Context context = mycelium.open(session);
            AgentInfo info = context.ensureAgent().toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertThat(info.loadPath()).startsWith("memfd").contains("host Java 17");
            assertThat(info.javaVersion()).startsWith("17");
            assertThat(info.os()).isEqualTo("Linux");
            ExecResult uname = context.procExec("uname", "-a").get(30, TimeUnit.SECONDS);
            assertThat(uname.stdoutText()).startsWith("Linux ");
            assertThat(SshHosts.leftovers(host)).as("while the agent runs").isEmpty();
            context.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(SshHosts.leftovers(host)).as("after the session").isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(SshSession.Client.class)
    void readOnlyHostWithoutJavaGetsARuntimeInMemoryThatIsRemovedAfterwards(SshSession.Client client) throws Exception {
        try (TestHost host = TestHost.start(TestHostImage.DEBIAN_RO);
                Mycelium mycelium = Mycelium.standalone()) {
            assertThat(host.exec("sh", "-c", "command -v java").exitCode()).isNotZero();
            Context context = mycelium.open(SshHosts.session(host, client).build());
            AgentInfo info = context.ensureAgent().toCompletableFuture().get(120, TimeUnit.SECONDS);
            assertThat(info.loadPath()).contains("shipped Java").contains("/dev/shm/mycelium-runtime-");
            assertThat(host.exec("sh", "-c", "ls /dev/shm").stdout()).contains("mycelium-runtime-");
            ExecResult uname = context.procExec("uname", "-a").get(30, TimeUnit.SECONDS);
            assertThat(uname.stdoutText()).startsWith("Linux ");
            context.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(ProcessProbe.waitFor(() -> SshHosts.leftovers(host).isEmpty(), java.time.Duration.ofSeconds(10)))
                    .as("left on the host: %s", SshHosts.leftovers(host))
                    .isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(SshSession.Client.class)
    void readOnlyHostWithNoExecutablePlaceSaysSo(SshSession.Client client) throws Exception {
        TestHost.Options noExec =
                TestHost.Options.defaults(TestHostImage.DEBIAN_RO).withShmExec(false);
        try (TestHost host = TestHost.start(TestHostImage.DEBIAN_RO, noExec);
                Mycelium mycelium = Mycelium.standalone()) {
            Context context = mycelium.open(SshHosts.session(host, client).build());
            ExecutionException e = assertThrows(
                    ExecutionException.class,
                    () -> context.ensureAgent().toCompletableFuture().get(60, TimeUnit.SECONDS));
            assertThat(e.getCause()).isInstanceOf(BootstrapException.class);
            assertThat(((MyceliumException) e.getCause()).code()).isEqualTo(ErrorCode.BOOTSTRAP_FAILED);
            assertThat(e.getCause().getMessage())
                    .contains("no directory that is both writable and executable")
                    .contains("/dev/shm is writable but mounted noexec")
                    .contains("mount a tmpfs with exec");
            assertThat(SshHosts.leftovers(host)).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(SshSession.Client.class)
    void wrongKeyUnknownHostKeyAndClosedPortAreNamedErrors(SshSession.Client client) throws Exception {
        try (TestHost host = TestHost.start(TestHostImage.NOJAVA);
                Mycelium mycelium = Mycelium.standalone()) {
            Path otherKey = dir.resolve("other");
            new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", otherKey.toString())
                    .start()
                    .waitFor();
            assertFailure(
                    mycelium,
                    SshHosts.session(host, client).identity(otherKey).build(),
                    AuthenticationFailedException.class);

            Path emptyKnownHosts = Files.createFile(dir.resolve("known_hosts"));
            assertFailure(
                    mycelium,
                    SshHosts.session(host, client).knownHosts(emptyKnownHosts).build(),
                    HostKeyRejectedException.class);

            Path wrongKnownHosts = dir.resolve("wrong_known_hosts");
            String otherPublic = Files.readString(Path.of(otherKey + ".pub")).strip();
            Files.writeString(
                    wrongKnownHosts,
                    "[" + host.address() + "]:" + host.port() + " "
                            + otherPublic.substring(0, otherPublic.lastIndexOf(' ')) + "\n");
            MyceliumException changed = assertFailure(
                    mycelium,
                    SshHosts.session(host, client).knownHosts(wrongKnownHosts).build(),
                    HostKeyRejectedException.class);
            assertThat(changed.getMessage()).contains(host.address());

            Session closedPort = Session.ssh("mycelium@" + host.address() + ":1")
                    .identity(host.privateKey())
                    .knownHosts(host.knownHostsFile())
                    .transport(client)
                    .build();
            MyceliumException refused = assertFailure(mycelium, closedPort, HostUnreachableException.class);
            assertThat(refused.code()).isEqualTo(ErrorCode.CONNECTION_REFUSED);
            assertThat(refused.getMessage()).contains("Connection refused").contains("check that sshd runs");
        }
    }

    @ParameterizedTest
    @EnumSource(SshSession.Client.class)
    void acceptNewAddsAnUnknownHostKeyAndStillRefusesAChangedOne(SshSession.Client client) throws Exception {
        try (TestHost host = TestHost.start(TestHostImage.DEBIAN_MIN);
                Mycelium mycelium = Mycelium.standalone()) {
            Path knownHosts = Files.createFile(dir.resolve("known_hosts"));
            SshSession acceptNew = SshHosts.session(host, client)
                    .knownHosts(knownHosts)
                    .hostKeyPolicy(OpenSsh.HostKeyPolicy.ACCEPT_NEW);
            Context context = mycelium.open(acceptNew.build());
            assertThat(context.procExec("true").get(60, TimeUnit.SECONDS).exitCode())
                    .isZero();
            String hostKey = host.hostKeyLine().substring(host.hostKeyLine().indexOf(' ') + 1);
            assertThat(Files.readString(knownHosts)).contains(hostKey);
            context.close().toCompletableFuture().get(10, TimeUnit.SECONDS);

            Path otherKey = dir.resolve("other");
            new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", otherKey.toString())
                    .start()
                    .waitFor();
            String otherPublic = Files.readString(Path.of(otherKey + ".pub")).strip();
            Files.writeString(
                    knownHosts,
                    "[" + host.address() + "]:" + host.port() + " "
                            + otherPublic.substring(0, otherPublic.lastIndexOf(' ')) + "\n");
            assertFailure(mycelium, acceptNew.build(), HostKeyRejectedException.class);
        }
    }

    private static MyceliumException assertFailure(
            Mycelium mycelium, Session session, Class<? extends MyceliumException> expected) {
        Context context = mycelium.open(session);
        ExecutionException e = assertThrows(
                ExecutionException.class,
                () -> context.ensureAgent().toCompletableFuture().get(60, TimeUnit.SECONDS));
        assertThat(e.getCause()).isInstanceOf(expected);
        assertThat(e.getCause().getMessage()).contains(session.name());
        return (MyceliumException) e.getCause();
    }
}

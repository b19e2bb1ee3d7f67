package io.mycelium;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mycelium.testhosts.RequiresDocker;
import io.mycelium.testhosts.TestHost;
import io.mycelium.testhosts.TestHostImage;
import io.mycelium.wire.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A host reached through a bastion ({@code .jump(...)}, OpenSSH's ProxyJump), over both SSH clients: the bastion's sshd
 * forwards the connection, and the same key and known_hosts file serve both hops.
 *
 * <p>Not shown: that the target refuses a direct connection. On this machine the bastion's sshd connects to the target
 * from 127.0.0.1 (the kernel's preferred source for the whole 127/8 route), the same source a direct connection from
 * this JVM has, so sshd's {@code AllowUsers mycelium@ADDR} cannot tell the two apart (and sshd has no option to bind
 * the connections it forwards to an address). Instead the tests check that the bastion's sshd holds the connection to
 * the target, from 127.0.0.1, and that a jump through a dead bastion fails.
 */
@RequiresDocker
class SshJumpIT {
    static TestHost bastion;
    static TestHost outerBastion;
    static TestHost target;
    static Path knownHosts;

    @BeforeAll
    static void start() throws Exception {
        bastion = TestHost.start(TestHostImage.BASTION);
        outerBastion = TestHost.start(TestHostImage.BASTION);
        target = TestHost.start(TestHostImage.DEBIAN_MIN);
        // One identity for every hop: the bastions also admit the target's user key.
        String publicKey =
                Files.readString(Path.of(target.privateKey() + ".pub")).strip();
        for (TestHost hop : List.of(bastion, outerBastion)) {
            TestHost.CommandResult added =
                    hop.exec("sh", "-c", "printf '%s\\n' \"$0\" >> /run/mycelium-ssh/authorized_keys", publicKey);
            assertThat(added.exitCode()).as(added.stderr()).isZero();
        }
        knownHosts = Files.createTempFile("mycelium-jump-known-hosts", "");
        Files.writeString(
                knownHosts,
                bastion.hostKeyLine() + "\n" + outerBastion.hostKeyLine() + "\n" + target.hostKeyLine() + "\n");
    }

    @AfterAll
    static void stop() throws Exception {
        if (target != null) {
            target.close();
        }
        if (bastion != null) {
            bastion.close();
        }
        if (outerBastion != null) {
            outerBastion.close();
        }
        if (knownHosts != null) {
            Files.deleteIfExists(knownHosts);
        }
    }

    private static SshSession throughBastion(SshSession.Client client) {
        return SshHosts.session(target, client).knownHosts(knownHosts).jump(hop(bastion));
    }

    private static String hop(TestHost host) {
        return host.user() + "@" + host.address() + ":" + host.port();
    }

    @ParameterizedTest
    @EnumSource(SshSession.Client.class)
    void targetIsReachedThroughTheBastionsSshd(SshSession.Client client) throws Exception {
        try (Mycelium mycelium = Mycelium.standalone()) {
            Context context = mycelium.open(throughBastion(client).build());
            ExecResult r = context.procExec("uname", "-n").get(60, TimeUnit.SECONDS);
            assertThat(r.exitCode()).isZero();
            // While the agent runs, the process holding the TCP connection to the target's sshd is an sshd of the
            // bastion's container: listed on this machine (the containers share its network), matched by cgroup.
            List<Connection> connections = connectionsTo(target);
            assertThat(connections).as("connections to the target").isNotEmpty();
            assertThat(connections).allSatisfy(c -> {
                assertThat(c.command()).isEqualTo("sshd");
                assertThat(c.cgroups()).contains(bastion.containerId());
                // Why AllowUsers cannot admit the bastion alone here: its connections come from 127.0.0.1 too.
                assertThat(c.source()).isEqualTo("127.0.0.1");
            });
        }
    }

    @ParameterizedTest
    @EnumSource(SshSession.Client.class)
    void twoBastionsInARow(SshSession.Client client) throws Exception {
        try (Mycelium mycelium = Mycelium.standalone()) {
            SshSession chain = SshHosts.session(target, client)
                    .knownHosts(knownHosts)
                    .jump(hop(outerBastion))
                    .jump(hop(bastion));
            ExecResult r = mycelium.open(chain.build()).procExec("true").get(60, TimeUnit.SECONDS);
            assertThat(r.exitCode()).isZero();
            // The hop next to the target connects to it; the outer one only to the inner bastion.
            assertThat(connectionsTo(target))
                    .isNotEmpty()
                    .allSatisfy(c -> assertThat(c.cgroups()).contains(bastion.containerId()));
            // (Any, not all: a connection of an earlier test to the inner bastion may still be closing.)
            assertThat(connectionsTo(bastion))
                    .anySatisfy(c -> assertThat(c.cgroups()).contains(outerBastion.containerId()));
        }
    }

    /** A local process's TCP connection: its source address, the process's name and its cgroups. */
    private record Connection(String source, String command, String cgroups) {}

    /** The established TCP connections to {@code host}'s sshd, from {@code ss -p} on this machine. */
    private static List<Connection> connectionsTo(TestHost host) throws Exception {
        Process ss = new ProcessBuilder(
                        "ss", "-Htnp", "state", "established", "dst", host.address() + ":" + host.port())
                .redirectErrorStream(true)
                .start();
        String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(ss.waitFor()).as(out).isZero();
        List<Connection> connections = new ArrayList<>();
        Pattern line = Pattern.compile("\\S+\\s+\\S+\\s+(\\S+):\\d+\\s+\\S+\\s+users:\\(\\(\"([^\"]+)\",pid=(\\d+)");
        for (String l : out.lines().toList()) {
            Matcher m = line.matcher(l.strip());
            if (m.find()) {
                Path cgroup = Path.of("/proc", m.group(3), "cgroup");
                connections.add(new Connection(
                        m.group(1), m.group(2), Files.exists(cgroup) ? Files.readString(cgroup) : "(gone)"));
            }
        }
        return connections;
    }

    @ParameterizedTest
    @EnumSource(SshSession.Client.class)
    void aDeadBastionIsAConnectionError(SshSession.Client client) throws Exception {
        try (Mycelium mycelium = Mycelium.standalone()) {
            Session session = SshHosts.session(target, client)
                    .knownHosts(knownHosts)
                    .jump(bastion.user() + "@" + bastion.address() + ":1")
                    .build();
            ExecutionException e = assertThrows(
                    ExecutionException.class,
                    () -> mycelium.open(session)
                            .ensureAgent()
                            .toCompletableFuture()
                            .get(60, TimeUnit.SECONDS));
            assertThat(e.getCause()).isInstanceOf(HostUnreachableException.class);
            assertThat(((MyceliumException) e.getCause()).code()).isEqualTo(ErrorCode.CONNECTION_REFUSED);
            assertThat(e.getCause().getMessage()).contains(session.name()).contains("Connection refused");
        }
    }
}

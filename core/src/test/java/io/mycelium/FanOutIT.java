package io.mycelium;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mycelium.testhosts.RequiresDocker;
import io.mycelium.testhosts.TestHost;
import io.mycelium.testhosts.TestHostImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fan-out from a bastion: three inner hosts admit SSH only from the bastion's address ({@code AllowUsers
 * mycelium@ADDR}, the bastion's ssh binding that address), so this machine reaches them only through the bastion's
 * agent, which starts each inner agent and carries its frames over the controller's one connection.
 */
@RequiresDocker
class FanOutIT {
    static TestHost bastion;
    static List<TestHost> inner;

    @BeforeAll
    static void start() {
        bastion = TestHost.start(TestHostImage.BASTION);
        inner = List.of(innerHost(), innerHost(), innerHost());
    }

    private static TestHost innerHost() {
        return TestHost.start(
                TestHostImage.DEBIAN_MIN,
                TestHost.Options.defaults(TestHostImage.DEBIAN_MIN).withAllowFrom(bastion.address()));
    }

    @AfterAll
    static void stop() {
        if (inner != null) {
            inner.forEach(TestHost::close);
        }
        if (bastion != null) {
            bastion.close();
        }
    }

    /** {@code host} as the bastion's ssh reaches it: bound to the bastion's address. */
    private static SshSession fromBastion(TestHost host) {
        return SshHosts.session(host).option("BindAddress=" + bastion.address());
    }

    private static <T> Run<T> run(
            Context from,
            List<SshSession> hosts,
            java.util.function.Function<Context, CompletableFuture<T>> op,
            int parallelism,
            Mycelium mycelium)
            throws Exception {
        var both = from.fanOut(hosts, op::apply, parallelism)
                .toMat(Sink.seq(), Keep.both())
                .run(mycelium.system());
        List<HostResult<T>> results = both.second().toCompletableFuture().get(300, TimeUnit.SECONDS);
        return new Run<>(results, both.first().toCompletableFuture().get(10, TimeUnit.SECONDS));
    }

    private record Run<T>(List<HostResult<T>> results, FanOutSummary summary) {
        Map<String, HostResult<T>> byHost() {
            Map<String, HostResult<T>> map = new HashMap<>();
            results.forEach(r -> map.put(r.host(), r));
            return map;
        }
    }

    /** The ssh clients running on the bastion, once none is left or after {@code seconds}. */
    private static int bastionSshClientsAfter(int seconds) throws InterruptedException {
        int count = -1;
        for (int i = 0; i < seconds * 4 && count != 0; i++) {
            Thread.sleep(i == 0 ? 0 : 250);
            TestHost.CommandResult r = bastion.exec(
                    "sh",
                    "-c",
                    "n=0; for p in /proc/[0-9]*; do [ \"$(cat $p/comm 2>/dev/null)\" = ssh ] && n=$((n+1)); done;"
                            + " echo $n");
            count = Integer.parseInt(r.stdout().strip());
        }
        return count;
    }

    private static String name(TestHost host) {
        return host.user() + "@" + host.address() + ":" + host.port();
    }

    @Test
    void fanOutOverTheInnerHostsWhereDirectSshIsRefused() throws Exception {
        try (Mycelium mycelium = Mycelium.standalone()) {
            ExecutionException direct = assertThrows(
                    ExecutionException.class,
                    () -> mycelium.open(SshHosts.session(inner.get(0)).build())
                            .ensureAgent()
                            .toCompletableFuture()
                            .get(60, TimeUnit.SECONDS));
            assertThat(direct.getCause()).isInstanceOf(AuthenticationFailedException.class);

            Context bastionContext = mycelium.open(SshHosts.session(bastion).build());
            AtomicInteger inFlight = new AtomicInteger();
            AtomicInteger maxInFlight = new AtomicInteger();
            AtomicInteger sshClients = new AtomicInteger();
            Run<ExecResult> out = run(
                    bastionContext,
                    inner.stream().map(FanOutIT::fromBastion).toList(),
                    ctx -> {
                        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                        sshClients.accumulateAndGet(
                                (int) ProcessHandle.current()
                                        .children()
                                        .filter(p ->
                                                p.info().command().orElse("").endsWith("/ssh"))
                                        .count(),
                                Math::max);
                        return ctx.procExec("sh", "-c", "sleep 1; uname -n")
                                .whenComplete((r, e) -> inFlight.decrementAndGet());
                    },
                    2,
                    mycelium);

            assertThat(out.results()).hasSize(3);
            for (TestHost host : inner) {
                HostResult<ExecResult> r = out.byHost().get(name(host));
                assertThat(r).as(name(host)).isNotNull();
                assertThat(r.ok()).as(r.failure()).isTrue();
                assertThat(r.value().stdoutText())
                        .isEqualTo(host.exec("uname", "-n").stdout());
            }
            assertThat(maxInFlight.get()).as("hosts in flight at most").isEqualTo(2);
            // One SSH client on this machine the whole time: the one to the bastion.
            assertThat(sshClients.get()).isEqualTo(1);
            assertThat(out.summary().line()).isEqualTo("3 ok, 0 failed");
            // The inner agents are gone once their operations ended; the bastion's stays for later use.
            assertThat(bastionSshClientsAfter(10)).isZero();
            assertThat(bastionContext.procExec("true").get(30, TimeUnit.SECONDS).exitCode())
                    .isZero();
        }
    }

    @Test
    void unreachableAndRefusedHostsAreReportedAndTheOthersSucceed() throws Exception {
        TestHost wrongKey = inner.get(2);
        List<SshSession> hosts = List.of(
                fromBastion(inner.get(0)),
                fromBastion(inner.get(1)),
                // Nothing listens on port 1: refused by the bastion's ssh.
                Session.ssh(inner.get(0).user() + "@" + inner.get(0).address() + ":1")
                        .identity(inner.get(0).privateKey())
                        .knownHosts(inner.get(0).knownHostsFile())
                        .option("BindAddress=" + bastion.address()),
                // Reachable, but the key is another host's: refused by sshd.
                Session.ssh(name(wrongKey))
                        .identity(inner.get(0).privateKey())
                        .knownHosts(wrongKey.knownHostsFile())
                        .option("BindAddress=" + bastion.address()));
        try (Mycelium mycelium = Mycelium.standalone()) {
            Context bastionContext = mycelium.open(SshHosts.session(bastion).build());
            Run<ExecResult> out = run(bastionContext, hosts, ctx -> ctx.procExec("echo", "up"), 4, mycelium);

            Map<String, HostResult<ExecResult>> byHost = out.byHost();
            assertThat(byHost).hasSize(4);
            for (TestHost host : List.of(inner.get(0), inner.get(1))) {
                assertThat(byHost.get(name(host)).ok()).isTrue();
                assertThat(byHost.get(name(host)).value().stdoutText()).isEqualTo("up\n");
            }
            String refused = inner.get(0).user() + "@" + inner.get(0).address() + ":1";
            assertThat(byHost.get(refused).error()).isInstanceOf(HostUnreachableException.class);
            assertThat(byHost.get(refused).failure()).contains("Connection refused");
            assertThat(byHost.get(name(wrongKey)).error()).isInstanceOf(AuthenticationFailedException.class);
            assertThat(out.summary().line())
                    .startsWith("2 ok, 2 failed: ")
                    .contains(refused + " (")
                    .contains(name(wrongKey) + " (");
        }
    }

    @Test
    void aStoppedHostIsReportedAndTheOthersSucceed() throws Exception {
        TestHost stopped = innerHost();
        // The host's key and known_hosts go with it: keep copies, as a user's would stay.
        Path key = Files.createTempFile("mycelium-stopped", "");
        Path knownHosts = Files.createTempFile("mycelium-stopped-known-hosts", "");
        try {
            Files.copy(stopped.privateKey(), key, StandardCopyOption.REPLACE_EXISTING);
            Files.copy(stopped.knownHostsFile(), knownHosts, StandardCopyOption.REPLACE_EXISTING);
            SshSession stoppedSession = Session.ssh(name(stopped))
                    .identity(key)
                    .knownHosts(knownHosts)
                    .option("BindAddress=" + bastion.address());
            stopped.close();
            List<SshSession> hosts = List.of(fromBastion(inner.get(0)), stoppedSession, fromBastion(inner.get(1)));
            try (Mycelium mycelium = Mycelium.standalone()) {
                Context bastionContext = mycelium.open(SshHosts.session(bastion).build());
                Run<ExecResult> out = run(bastionContext, hosts, ctx -> ctx.procExec("echo", "up"), 3, mycelium);
                assertThat(out.summary().succeeded()).isEqualTo(2);
                assertThat(out.summary().failed()).singleElement().satisfies(r -> {
                    assertThat(r.host()).isEqualTo(name(stopped));
                    assertThat(r.error()).isInstanceOf(HostUnreachableException.class);
                    assertThat(r.failure()).contains("Connection refused");
                });
            }
        } finally {
            Files.deleteIfExists(key);
            Files.deleteIfExists(knownHosts);
        }
    }
}

package io.mycelium;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mycelium.testhosts.RequiresDocker;
import io.mycelium.testhosts.TestHost;
import io.mycelium.testhosts.TestHostImage;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hosts that accept SSH only from a bastion's address, reached {@code via} the bastion's agent: the bastion (sshd and
 * an ssh client, no Java: its agent runs on the runtime this controller ships) runs {@code ssh -o BindAddress=<its
 * address>} to the inner host, whose sshd admits only that source ({@code AllowUsers mycelium@ADDR}). A direct
 * connection from this machine comes from another address and is refused. A second inner host admits only the first
 * one, for two hops.
 */
@RequiresDocker
class SshViaIT {
    static TestHost bastion;
    static TestHost inner;
    static TestHost deeper;
    static TestHost noJava;

    @BeforeAll
    static void start() {
        bastion = TestHost.start(TestHostImage.BASTION);
        inner = TestHost.start(
                TestHostImage.DEBIAN_MIN,
                TestHost.Options.defaults(TestHostImage.DEBIAN_MIN).withAllowFrom(bastion.address()));
        deeper = TestHost.start(
                TestHostImage.DEBIAN_MIN,
                TestHost.Options.defaults(TestHostImage.DEBIAN_MIN).withAllowFrom(inner.address()));
        noJava = TestHost.start(
                TestHostImage.NOJAVA,
                TestHost.Options.defaults(TestHostImage.NOJAVA).withAllowFrom(bastion.address()));
    }

    @AfterAll
    static void stop() {
        for (TestHost host : new TestHost[] {noJava, deeper, inner, bastion}) {
            if (host != null) {
                host.close();
            }
        }
    }

    /** {@code host} reached from {@code parent}'s host, its ssh bound to that host's address. */
    static SshSession via(TestHost host, TestHost from, Session parent) {
        return SshHosts.session(host).option("BindAddress=" + from.address()).via(parent);
    }

    @Test
    void directSshIsRefusedViaTheBastionWorks() throws Exception {
        try (Mycelium mycelium = Mycelium.standalone()) {
            ExecutionException direct = assertThrows(
                    ExecutionException.class,
                    () -> mycelium.open(SshHosts.session(inner).build())
                            .ensureAgent()
                            .toCompletableFuture()
                            .get(60, TimeUnit.SECONDS));
            assertThat(direct.getCause()).isInstanceOf(AuthenticationFailedException.class);

            Session bastionSession = SshHosts.session(bastion).build();
            Context context = mycelium.open(via(inner, bastion, bastionSession).build());
            ExecResult r = context.procExec("uname", "-n").get(120, TimeUnit.SECONDS);
            assertThat(r.exitCode()).isZero();
            assertThat(r.stdoutText()).isEqualTo(inner.exec("uname", "-n").stdout());
            AgentInfo info = context.ensureAgent().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(info.loadPath()).endsWith("via " + bastionSession.name());
            // The key and known_hosts file sent for the bastion's ssh are gone from it once ssh got through.
            assertThat(bastion.exec("sh", "-c", "ls -d /dev/shm/mycelium-child-* /tmp/mycelium-child-* 2>/dev/null")
                            .stdout())
                    .isEmpty();
            // One SSH client on this machine for the tree: the one to the bastion.
            assertThat(ProcessHandle.current()
                            .children()
                            .filter(p -> p.info().command().orElse("").endsWith("/ssh"))
                            .count())
                    .isEqualTo(1);
        }
    }

    @Test
    void aHostWithoutJavaGetsTheRuntimeThroughTheHop() throws Exception {
        try (Mycelium mycelium = Mycelium.standalone()) {
            Context context = mycelium.open(
                    via(noJava, bastion, SshHosts.session(bastion).build()).build());
            AgentInfo info = context.ensureAgent().toCompletableFuture().get(180, TimeUnit.SECONDS);
            assertThat(info.loadPath()).contains("shipped");
            assertThat(context.procExec("uname", "-n").get(60, TimeUnit.SECONDS).stdoutText())
                    .isEqualTo(noJava.exec("uname", "-n").stdout());
        }
    }

    @Test
    void twoHopsEachAdmittingOnlyTheOneBefore() throws Exception {
        try (Mycelium mycelium = Mycelium.standalone()) {
            Session bastionSession = SshHosts.session(bastion).build();
            Session innerSession = via(inner, bastion, bastionSession).build();
            Context context = mycelium.open(via(deeper, inner, innerSession).build());
            ExecResult r = context.procExec("uname", "-n").get(120, TimeUnit.SECONDS);
            assertThat(r.stdoutText()).isEqualTo(deeper.exec("uname", "-n").stdout());
        }
    }

    @Test
    void killingTheBastionsAgentFailsEverythingBelowNamingIt() throws Exception {
        try (Mycelium mycelium = Mycelium.standalone()) {
            Session bastionSession = SshHosts.session(bastion).build();
            Session innerSession = via(inner, bastion, bastionSession).build();
            Context deep = mycelium.open(via(deeper, inner, innerSession).build());
            Context middle = mycelium.open(innerSession);
            long bastionAgent = mycelium.open(bastionSession)
                    .ensureAgent()
                    .toCompletableFuture()
                    .get(120, TimeUnit.SECONDS)
                    .pid();
            CompletableFuture<ExecResult> deepSleep = deep.procExec("sleep", "60");
            CompletableFuture<ExecResult> middleSleep = middle.procExec("sleep", "60");
            deep.ping().toCompletableFuture().get(120, TimeUnit.SECONDS);

            long killedAt = System.nanoTime();
            assertThat(bastion.exec("kill", "-9", Long.toString(bastionAgent)).exitCode())
                    .isZero();
            for (CompletableFuture<ExecResult> running : List.of(deepSleep, middleSleep)) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> running.get(10, TimeUnit.SECONDS));
                assertThat(e.getCause()).isInstanceOf(ConnectionLostException.class);
                assertThat(e.getCause().getMessage()).contains(bastionSession.name());
            }
            assertThat((System.nanoTime() - killedAt) / 1_000_000)
                    .as("milliseconds until both failed")
                    .isLessThan(5000);
        }
    }

    @Test
    void killingTheBastionsSshFailsTheInnerContextNamingTheHop() throws Exception {
        try (Mycelium mycelium = Mycelium.standalone()) {
            Session bastionSession = SshHosts.session(bastion).build();
            Context context = mycelium.open(via(inner, bastion, bastionSession).build());
            context.ensureAgent().toCompletableFuture().get(120, TimeUnit.SECONDS);
            CompletableFuture<ExecResult> running = context.procExec("sleep", "60");
            context.ping().toCompletableFuture().get(10, TimeUnit.SECONDS);

            TestHost.CommandResult killed = bastion.exec(
                    "sh",
                    "-c",
                    "for p in /proc/[0-9]*; do [ \"$(cat $p/comm 2>/dev/null)\" = ssh ] && kill -9 ${p#/proc/};"
                            + " done; true");
            assertThat(killed.exitCode()).as(killed.stderr()).isZero();
            ExecutionException e = assertThrows(ExecutionException.class, () -> running.get(10, TimeUnit.SECONDS));
            assertThat(e.getCause()).isInstanceOf(ConnectionLostException.class);
            assertThat(e.getCause().getMessage())
                    .contains("on hop " + bastionSession.name())
                    .contains("status 137");
            // The bastion's own context is unaffected.
            assertThat(mycelium.open(bastionSession)
                            .procExec("true")
                            .get(30, TimeUnit.SECONDS)
                            .exitCode())
                    .isZero();
        }
    }
}

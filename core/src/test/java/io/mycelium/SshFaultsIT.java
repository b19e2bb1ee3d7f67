package io.mycelium;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mycelium.testhosts.RequiresDocker;
import io.mycelium.testhosts.TestHost;
import io.mycelium.testhosts.TestHostImage;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Faults mid-stream, over both SSH clients: a clear error within seconds, and the next call connects again. */
@RequiresDocker
class SshFaultsIT {
    private TestHost host;
    private Mycelium mycelium;
    private Context context;

    private void start(SshSession.Client client) throws Exception {
        host = TestHost.start(TestHostImage.DEBIAN_MIN);
        mycelium = Mycelium.standalone();
        context = mycelium.open(SshHosts.session(host, client).build());
        context.ensureAgent().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() {
        if (mycelium != null) {
            mycelium.close();
        }
        if (host != null) {
            host.close();
        }
    }

    /** A stream that prints forever; fails when the connection goes. */
    private CompletableFuture<?> endlessStream() throws Exception {
        CompletableFuture<Void> flowing = new CompletableFuture<>();
        CompletableFuture<?> done = context.procStream(
                        List.of("sh", "-c", "while :; do echo tick; sleep 0.05; done"), ExecOptions.defaults())
                .runWith(Sink.foreach(out -> flowing.complete(null)), mycelium.system())
                .toCompletableFuture();
        flowing.get(30, TimeUnit.SECONDS);
        return done;
    }

    private static Duration failsWithin(CompletableFuture<?> stream, Class<? extends MyceliumException> expected) {
        long start = System.nanoTime();
        ExecutionException e = assertThrows(ExecutionException.class, () -> stream.get(30, TimeUnit.SECONDS));
        assertThat(e.getCause()).isInstanceOf(expected);
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private void nextCallWorks() throws Exception {
        assertThat(context.procExec("echo", "again").get(120, TimeUnit.SECONDS).stdoutText())
                .isEqualTo("again\n");
    }

    @ParameterizedTest
    @EnumSource(SshSession.Client.class)
    void agentKilledOnTheHost(SshSession.Client client) throws Exception {
        start(client);
        CompletableFuture<?> stream = endlessStream();
        host.exec("pkill", "-KILL", "-f", "io.mycelium.agent.AgentMain");
        assertThat(failsWithin(stream, ConnectionLostException.class)).isLessThan(Duration.ofSeconds(5));
        nextCallWorks();
    }

    @ParameterizedTest
    @EnumSource(SshSession.Client.class)
    void sshdKilledWithTheHost(SshSession.Client client) throws Exception {
        start(client);
        CompletableFuture<?> stream = endlessStream();
        host.killSshd();
        assertThat(failsWithin(stream, ConnectionLostException.class)).isLessThan(Duration.ofSeconds(5));
        host.restart();
        nextCallWorks();
    }

    @ParameterizedTest
    @EnumSource(SshSession.Client.class)
    void frozenHostIsNoticedByPing(SshSession.Client client) throws Exception {
        start(client);
        CompletableFuture<?> stream = endlessStream();
        host.pause();
        try {
            // keepalive: a ping every 2 s, lost after 6 s without an answer.
            Duration noticed = failsWithin(stream, ConnectionLostException.class);
            assertThat(noticed).isLessThan(Duration.ofSeconds(12));
        } finally {
            host.unpause();
        }
        nextCallWorks();
    }
}

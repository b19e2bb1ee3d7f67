package io.mycelium.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import io.mycelium.ExecOptions;
import io.mycelium.ExecOutput;
import io.mycelium.ExecResult;
import io.mycelium.HostUnreachableException;
import io.mycelium.Mycelium;
import io.mycelium.MyceliumException;
import io.mycelium.ProcessHost;
import io.mycelium.examples.EmbeddedClusterExample;
import io.mycelium.host.HostContext;
import io.mycelium.wire.ErrorCode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.concurrent.duration.FiniteDuration;

/**
 * Two actor systems in one JVM form a cluster: a node (A, H2 journal in a temp dir) and an application's plain member
 * (B, built like {@link EmbeddedClusterExample}). The application runs processes on the node's host {@code local}
 * through {@code Mycelium.host}, and both systems share the host's one context, which lives on the node.
 */
class EmbeddedHostsIT {
    @TempDir
    static Path dataDir;

    private static Node node;
    private static ActorSystem<Void> app;

    @BeforeAll
    static void formCluster() throws Exception {
        node = Node.start(ConfigFactory.parseMap(Map.of(
                        "mycelium.data-dir",
                        dataDir.toString(),
                        "mycelium.node.http.port",
                        0,
                        "pekko.cluster.jmx.multi-mbeans-in-same-jvm",
                        "on"))
                .withFallback(ConfigFactory.load()));
        Address seed = Cluster.get(node.system()).selfMember().address();
        app = ActorSystem.create(Behaviors.empty(), "mycelium", EmbeddedClusterExample.memberConfig(seed.toString()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (Cluster.get(app).selfMember().status() != MemberStatus.up()) {
            assertThat(System.nanoTime())
                    .as("the application joins the cluster")
                    .isLessThan(deadline);
            Thread.sleep(50);
        }
        assertThat(Cluster.get(app).selfMember().getRoles()).doesNotContain(Node.ROLE);
        assertThat(Cluster.get(node.system()).selfMember().getRoles()).contains(Node.ROLE);
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) {
            app.terminate();
            app.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        if (node != null) {
            node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void theApplicationRunsOnTheNodesHostThroughItsOneContext() throws Exception {
        ExecResult hi =
                EmbeddedClusterExample.run(app, "local", List.of("echo", "hi")).get(60, TimeUnit.SECONDS);
        assertThat(hi.exitCode()).isZero();
        assertThat(hi.stdoutText()).isEqualTo("hi\n");

        // The agent's pid is the parent of every process it starts: one agent, one connection, for both systems.
        List<String> parent = List.of("sh", "-c", "echo $PPID");
        String fromApp = Mycelium.create(app)
                .host("local")
                .procExec(parent, ExecOptions.defaults())
                .get(30, TimeUnit.SECONDS)
                .stdoutText();
        String fromNode = node.mycelium()
                .host("local")
                .procExec(parent, ExecOptions.defaults())
                .get(30, TimeUnit.SECONDS)
                .stdoutText();
        assertThat(fromApp).isNotBlank().isEqualTo(fromNode);

        // Asked on each system, the cluster-wide statistics count one live context, on the node: the application's
        // proxy holds none. (A proxy does not answer the statistics query itself, so the application asks the node's
        // region over remoting.)
        Address nodeAddress = Cluster.get(node.system()).selfMember().address();
        for (ActorSystem<?> system : List.of(app, node.system())) {
            ShardRegion.ClusterShardingStats stats = (ShardRegion.ClusterShardingStats) Patterns.ask(
                            system.classicSystem()
                                    .actorSelection(nodeAddress + "/system/sharding/" + HostContext.TYPE.name()),
                            new ShardRegion.GetClusterShardingStats(FiniteDuration.create(5, TimeUnit.SECONDS)),
                            Duration.ofSeconds(10))
                    .toCompletableFuture()
                    .get(15, TimeUnit.SECONDS);
            Map<Address, ShardRegion.ShardRegionStats> regions = stats.getRegions();
            int entities = regions.values().stream()
                    .flatMap(r -> r.getStats().values().stream())
                    .mapToInt(n -> ((Number) n).intValue())
                    .sum();
            assertThat(entities)
                    .as("live contexts seen from " + system.address() + ": " + regions)
                    .isEqualTo(1);
            assertThat(regions.keySet()).containsExactly(nodeAddress);
        }
    }

    @Test
    void streamsStdinInAndOutputOutUnderBackPressure() throws Exception {
        ProcessHost local = Mycelium.create(app).host("local");
        List<ExecOutput> out = local.procStream(
                        List.of("sh", "-c", "cat; echo err >&2; exit 3"),
                        ExecOptions.defaults()
                                .withStdin(org.apache.pekko.stream.javadsl.Source.from(
                                        List.of(ByteString.fromString("a"), ByteString.fromString("b")))))
                .runWith(Sink.seq(), app)
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        assertThat(out.get(0)).isInstanceOf(ExecOutput.Started.class);
        assertThat(out.get(out.size() - 1))
                .isInstanceOfSatisfying(
                        ExecOutput.Exited.class, x -> assertThat(x.exitCode()).isEqualTo(3));
        String stdout = out.stream()
                .filter(o -> o instanceof ExecOutput.Stdout)
                .map(o -> ((ExecOutput.Stdout) o).bytes().utf8String())
                .reduce("", String::concat);
        assertThat(stdout).isEqualTo("ab");
    }

    @Test
    void failuresArriveAsTypedExceptionsNamingTheHost() {
        ProcessHost nowhere = Mycelium.create(app).host("nowhere");
        assertThatThrownBy(() -> nowhere.procExec("true").get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(HostUnreachableException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_HOST);
                    assertThat(e.context()).isEqualTo("nowhere");
                    assertThat(e.getMessage()).contains("no host is registered as nowhere");
                });

        ProcessHost local = Mycelium.create(app).host("local");
        assertThatThrownBy(() -> local.procExec("/no/such/program").get(30, TimeUnit.SECONDS))
                .cause()
                .isInstanceOfSatisfying(MyceliumException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.PROCESS_START_FAILED);
                    assertThat(e.getMessage()).startsWith("[local] ").doesNotStartWith("[local] [local]");
                });

        assertThatThrownBy(() -> local.procExec(
                                List.of("sleep", "30"), ExecOptions.defaults().withTimeout(Duration.ofMillis(300)))
                        .get(30, TimeUnit.SECONDS))
                .cause()
                .isInstanceOfSatisfying(
                        MyceliumException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TIMEOUT));
    }

    @Test
    void cancellingTheFutureKillsTheProcessOnTheNode() throws Exception {
        ProcessHost local = Mycelium.create(app).host("local");
        Path marker = dataDir.resolve("cancelled-marker");
        CompletableFuture<ExecResult> running =
                local.procExec(List.of("sh", "-c", "sleep 1; touch " + marker), ExecOptions.defaults());
        Thread.sleep(300);
        running.cancel(true);
        // Uncancelled, the marker would appear 0.7 s from now.
        Thread.sleep(1500);
        assertThat(marker).doesNotExist();
        assertThat(local.procExec("true").get(30, TimeUnit.SECONDS).exitCode()).isZero();
    }
}

package io.mycelium.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.mycelium.Mycelium;
import io.mycelium.exec.Execution;
import io.mycelium.exec.OutputChunk;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityContext;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@link HostContext} entity with a real local agent, spawned with a probe as its shard (to see it passivate), a
 * real {@link HostDirectory}, and stand-in {@link Execution} entities that report the facts they are told.
 */
class HostContextTest {
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final HostSpec LOCAL = HostSpec.local("local", Map.of());

    private record Fact(String execId, Execution.Command command) {}

    private static ActorTestKit kit;
    private static ClusterSharding sharding;
    private static Mycelium mycelium;
    private static ActorRef<HostDirectory.Command> directory;
    private static TestProbe<Fact> facts;

    @BeforeAll
    static void start() {
        kit = ClusterTestKit.start("HostContextTest", "");
        sharding = ClusterSharding.get(kit.system());
        mycelium = Mycelium.create(kit.system());
        facts = kit.createTestProbe();
        sharding.init(Entity.of(
                Execution.TYPE,
                entity -> Behaviors.receiveMessage(command -> {
                    facts.ref().tell(new Fact(entity.getEntityId(), command));
                    return Behaviors.same();
                })));
        directory = kit.spawn(HostDirectory.create(List.of(LOCAL)));
    }

    @AfterAll
    static void stop() {
        mycelium.close();
        ClusterTestKit.stop(kit);
    }

    private static ActorRef<HostContext.Command> context(
            String hostId, TestProbe<ClusterSharding.ShardCommand> shard, Duration idle) {
        return kit.spawn(HostContext.create(
                new EntityContext<>(HostContext.TYPE, hostId, shard.ref()),
                mycelium,
                sharding,
                directory,
                idle,
                Duration.ofSeconds(5)));
    }

    private static ActorRef<HostContext.Command> context() {
        return context("local", kit.createTestProbe(), Duration.ofMinutes(5));
    }

    private static RunSpec spec(String... command) {
        return new RunSpec(List.of(command), Map.of(), null, null, false, null);
    }

    private static String newId() {
        return "h-" + IDS.incrementAndGet();
    }

    private static HostContext.RunReply run(
            ActorRef<HostContext.Command> context, String id, HostSpec host, RunSpec spec) {
        TestProbe<HostContext.RunReply> reply = kit.createTestProbe();
        context.tell(new HostContext.Run(id, host, spec, reply.ref()));
        return reply.receiveMessage(Duration.ofSeconds(30));
    }

    private static List<OutputChunk> output(HostContext.RunReply reply) throws Exception {
        assertThat(reply).isInstanceOf(HostContext.Running.class);
        return ((HostContext.Running) reply)
                .output()
                .getSource()
                .runWith(Sink.seq(), kit.system())
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
    }

    private static String stdout(List<OutputChunk> chunks) {
        StringBuilder out = new StringBuilder();
        chunks.stream()
                .filter(c -> c instanceof OutputChunk.Stdout)
                .forEach(c -> out.append(new String(((OutputChunk.Stdout) c).bytes(), StandardCharsets.UTF_8)));
        return out.toString();
    }

    /** The facts the stand-in executions received for {@code execId} within {@code window}. */
    private static List<Execution.Command> factsFor(String execId, Duration window) {
        List<Execution.Command> seen = new ArrayList<>();
        long deadline = System.nanoTime() + window.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                Fact f = facts.receiveMessage(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
                if (f.execId().equals(execId)) {
                    seen.add(f.command());
                }
            } catch (AssertionError timeout) {
                break;
            }
        }
        return seen;
    }

    private static HostContext.RunState state(ActorRef<HostContext.Command> context, String id) {
        TestProbe<HostContext.RunState> answer = kit.createTestProbe();
        context.tell(new HostContext.IsRunning(id, answer.ref()));
        return answer.receiveMessage();
    }

    @Test
    void runsOnLocalStreamsTheOutputAndReportsTheFacts() throws Exception {
        ActorRef<HostContext.Command> context = context();
        String id = newId();
        List<OutputChunk> chunks = output(run(context, id, LOCAL, spec("echo", "hi")));
        assertThat(chunks.get(0)).isInstanceOfSatisfying(OutputChunk.Started.class, s -> {
            assertThat(s.host()).isEqualTo("local");
            assertThat(s.pid()).isPositive();
        });
        assertThat(stdout(chunks)).isEqualTo("hi\n");
        assertThat(chunks.get(chunks.size() - 1))
                .isInstanceOfSatisfying(
                        OutputChunk.Exited.class, x -> assertThat(x.exitCode()).isZero());

        List<Execution.Command> reported = factsFor(id, Duration.ofSeconds(1));
        assertThat(reported).hasSize(2);
        assertThat(reported.get(0))
                .isInstanceOfSatisfying(
                        Execution.ProcessStart.class,
                        s -> assertThat(s.pid()).isEqualTo(((OutputChunk.Started) chunks.get(0)).pid()));
        assertThat(reported.get(1))
                .isInstanceOfSatisfying(
                        Execution.ProcessExit.class,
                        x -> assertThat(x.exitCode()).isZero());

        assertThat(state(context, id)).isEqualTo(HostContext.RunState.ENDED);
        assertThat(state(context, "never-ran")).isEqualTo(HostContext.RunState.UNKNOWN);
        assertThat(run(context, id, LOCAL, spec("true")))
                .isInstanceOfSatisfying(
                        HostContext.Refused.class, r -> assertThat(r.code()).isEqualTo("conflict"));
    }

    @Test
    void anEmbeddedRunFindsItsHostInTheDirectoryAndReportsNoFacts() throws Exception {
        ActorRef<HostContext.Command> context = context();
        TestProbe<HostContext.RunReply> reply = kit.createTestProbe();
        String id = "sdk-" + newId();
        context.tell(new HostContext.Exec(id, spec("sh", "-c", "echo $0", "embedded"), reply.ref()));
        assertThat(stdout(output(reply.receiveMessage(Duration.ofSeconds(30))))).isEqualTo("embedded\n");
        assertThat(factsFor(id, Duration.ofMillis(500))).isEmpty();

        ActorRef<HostContext.Command> ghost = context("ghost", kit.createTestProbe(), Duration.ofMinutes(5));
        ghost.tell(new HostContext.Exec("sdk-" + newId(), spec("true"), reply.ref()));
        assertThat(reply.receiveMessage(Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(HostContext.Refused.class, r -> {
                    assertThat(r.code()).isEqualTo("not_found");
                    assertThat(r.message()).contains("ghost");
                });
    }

    @Test
    void cancelKillsTheRunningProcessAndTheStreamSaysWhoCancelled() throws Exception {
        ActorRef<HostContext.Command> context = context();
        String id = newId();
        HostContext.RunReply reply = run(context, id, LOCAL, spec("sleep", "30"));
        assertThat(state(context, id)).isEqualTo(HostContext.RunState.RUNNING);
        context.tell(new HostContext.Cancel(id, "alice"));
        long started = System.nanoTime();
        List<OutputChunk> chunks = output(reply);
        assertThat(System.nanoTime() - started).isLessThan(TimeUnit.SECONDS.toNanos(10));
        assertThat(chunks.get(chunks.size() - 1)).isInstanceOfSatisfying(OutputChunk.Failed.class, f -> {
            assertThat(f.code()).isEqualTo("cancelled");
            assertThat(f.message()).contains("alice");
        });
        assertThat(factsFor(id, Duration.ofSeconds(1)))
                .anySatisfy(c -> assertThat(c)
                        .isInstanceOfSatisfying(
                                Execution.RunFailed.class,
                                f -> assertThat(f.code()).isEqualTo("cancelled")));
    }

    @Test
    void aCancelThatOvertakesItsRunKeepsTheRunFromStarting() {
        ActorRef<HostContext.Command> context = context();
        String id = newId();
        context.tell(new HostContext.Cancel(id, "bob"));
        assertThat(run(context, id, LOCAL, spec("touch", "/tmp/never")))
                .isInstanceOfSatisfying(HostContext.Refused.class, r -> {
                    assertThat(r.code()).isEqualTo("cancelled");
                    assertThat(r.message()).contains("bob");
                });
    }

    @Test
    void passivatesOnceIdleButNeverWhileAProcessRuns() throws Exception {
        TestProbe<ClusterSharding.ShardCommand> shard = kit.createTestProbe();
        ActorRef<HostContext.Command> context = context("local", shard, Duration.ofMillis(200));
        HostContext.RunReply reply = run(context, newId(), LOCAL, spec("sleep", "1"));
        shard.expectNoMessage(Duration.ofMillis(700));
        List<OutputChunk> chunks = output(reply);
        assertThat(chunks.get(chunks.size() - 1)).isInstanceOf(OutputChunk.Exited.class);
        assertThat(shard.expectMessageClass(ClusterSharding.Passivate.class, Duration.ofSeconds(3)))
                .isNotNull();
    }

    @Test
    void anUnreachableHostEndsTheRunWithAStructuredError() throws Exception {
        HostSpec closed =
                new HostSpec("closed", HostSpec.Transport.OPENSSH, "127.0.0.1", 1, null, null, null, false, Map.of());
        ActorRef<HostContext.Command> context = context("closed", kit.createTestProbe(), Duration.ofMinutes(5));
        String id = newId();
        List<OutputChunk> chunks = output(run(context, id, closed, spec("true")));
        assertThat(chunks).singleElement().isInstanceOfSatisfying(OutputChunk.Failed.class, f -> {
            assertThat(f.code()).isEqualTo("connection_refused");
            assertThat(f.message()).contains("127.0.0.1");
        });
        assertThat(factsFor(id, Duration.ofSeconds(1)))
                .singleElement()
                .isInstanceOfSatisfying(
                        Execution.RunFailed.class, f -> assertThat(f.code()).isEqualTo("connection_refused"));
    }
}

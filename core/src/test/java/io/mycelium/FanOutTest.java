package io.mycelium;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mycelium.transport.CommandTransport;
import io.mycelium.transport.ViaTransport;
import io.mycelium.wire.ErrorCode;
import io.mycelium.wire.OperationFailedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fan-out on this machine: a local agent starts each "host"'s agent through {@code /bin/sh} (the routing of an SSH hop
 * without SSH), so every host travels through the controller's one connection to the local agent.
 */
class FanOutTest {
    private Mycelium mycelium;
    private Session root;
    private Context rootContext;

    @BeforeEach
    void start() {
        mycelium = Mycelium.standalone();
        root = Session.local(List.of("-Xmx48m"));
        rootContext = mycelium.open(root);
    }

    @AfterEach
    void stop() {
        mycelium.close();
    }

    private Session host(String name) {
        return Session.shellVia(root, CommandTransport.Options.defaults()).named(name);
    }

    /** A host whose link program exits 7 before stage 1 runs: as an ssh that cannot connect. */
    private Session unreachable(String name) {
        ViaTransport failing = new ViaTransport(
                name,
                name,
                root.transport().poolKey(),
                List.of("/bin/sh", "-c", "echo 'connect to host: Connection refused' >&2; exit 7"),
                null,
                null,
                CommandTransport.Options.defaults(),
                (host, exit, stderr) -> new OperationFailedException(
                        ErrorCode.CONNECTION_REFUSED, host + ": " + stderr.strip() + " (exit " + exit + ")", null));
        return Session.via(name, failing, root);
    }

    private <T> Pair<List<HostResult<T>>, FanOutSummary> run(
            List<Session> hosts, java.util.function.Function<Context, CompletableFuture<T>> op, int parallelism)
            throws Exception {
        Pair<CompletableFuture<FanOutSummary>, CompletableFuture<List<HostResult<T>>>> both = rootContext
                .fanOutThrough(hosts, op::apply, parallelism)
                .mapMaterializedValue(CompletableFuture::completedStage)
                .toMat(Sink.seq(), Keep.both())
                .mapMaterializedValue(p -> Pair.create(
                        p.first().toCompletableFuture().thenCompose(s -> s).toCompletableFuture(),
                        p.second().toCompletableFuture()))
                .run(mycelium.system());
        return Pair.create(
                both.second().get(180, TimeUnit.SECONDS), both.first().get(10, TimeUnit.SECONDS));
    }

    @Test
    void runsEveryHostWithinTheLimitThroughOneConnectionAndClosesTheirContexts() throws Exception {
        long rootPid = rootContext
                .ensureAgent()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS)
                .pid();
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        Map<String, Long> agentPids = new ConcurrentHashMap<>();
        List<Session> hosts = List.of(host("h1"), host("h2"), host("h3"), host("h4"));

        Pair<List<HostResult<String>>, FanOutSummary> out = run(
                hosts,
                ctx -> {
                    maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                    // One connection for the whole fan-out: the controller's only child is the root agent.
                    assertThat(ProcessHandle.current()
                                    .children()
                                    .map(ProcessHandle::pid)
                                    .toList())
                            .containsExactly(rootPid);
                    return ctx.ensureAgent()
                            .thenCompose(info -> {
                                agentPids.put(ctx.name(), info.pid());
                                return ctx.procExec("sh", "-c", "sleep 0.5; echo $PPID");
                            })
                            .thenApply(r -> ctx.name() + " " + r.stdoutText().strip())
                            .whenComplete((v, e) -> inFlight.decrementAndGet())
                            .toCompletableFuture();
                },
                2);

        assertThat(out.first())
                .hasSize(4)
                .allSatisfy(r -> assertThat(r.ok()).as(r.failure()).isTrue());
        assertThat(out.first()).extracting(HostResult::host).containsExactlyInAnyOrder("h1", "h2", "h3", "h4");
        assertThat(out.first()).allSatisfy(r -> assertThat(r.value()).startsWith(r.host() + " "));
        assertThat(maxInFlight.get()).isEqualTo(2);
        assertThat(out.second().line()).isEqualTo("4 ok, 0 failed");
        // Each host's context was closed when its operation ended: its agent is gone.
        assertThat(agentPids).hasSize(4);
        for (long pid : agentPids.values()) {
            ProcessHandle.of(pid)
                    .ifPresent(p -> p.onExit().orTimeout(10, TimeUnit.SECONDS).join());
        }
        // The parent stays, and stays usable.
        assertThat(rootContext.procExec("true").get(30, TimeUnit.SECONDS).exitCode())
                .isZero();
    }

    @Test
    void eachFailureIsThatHostsResultAndTheOthersSucceed() throws Exception {
        List<Session> hosts = List.of(host("good"), unreachable("down"), host("exits3"), host("throws"));
        Pair<List<HostResult<ExecResult>>, FanOutSummary> out = run(
                hosts,
                ctx -> switch (ctx.name()) {
                    case "exits3" -> ctx.procExec("sh", "-c", "exit 3");
                    case "throws" -> throw new IllegalStateException("op refused " + ctx.name());
                    default -> ctx.procExec("echo", "up");
                },
                4);

        Map<String, HostResult<ExecResult>> byHost = new ConcurrentHashMap<>();
        out.first().forEach(r -> byHost.put(r.host(), r));
        assertThat(byHost).containsOnlyKeys("good", "down", "exits3", "throws");
        assertThat(byHost.get("good").ok()).isTrue();
        assertThat(byHost.get("good").value().stdoutText()).isEqualTo("up\n");
        assertThat(byHost.get("down").error()).isInstanceOf(HostUnreachableException.class);
        assertThat(byHost.get("down").failure()).contains("Connection refused").doesNotStartWith("[");
        assertThat(byHost.get("exits3").failure()).isEqualTo("exit 3");
        assertThat(byHost.get("exits3").value().exitCode()).isEqualTo(3);
        assertThat(byHost.get("throws").error()).isInstanceOf(IllegalStateException.class);
        assertThat(byHost.get("throws").failure()).isEqualTo("op refused throws");

        FanOutSummary summary = out.second();
        assertThat(summary.succeeded()).isEqualTo(1);
        assertThat(summary.allSucceeded()).isFalse();
        List<String> failed = new ArrayList<>();
        summary.failed().forEach(r -> failed.add(r.host()));
        assertThat(failed).containsExactlyInAnyOrder("down", "exits3", "throws");
        assertThat(summary.line()).startsWith("1 ok, 3 failed: ").contains("exits3 (exit 3)");
    }

    @Test
    void badArgumentsAreRefusedAtOnce() {
        assertThrows(
                IllegalArgumentException.class,
                () -> rootContext.fanOutThrough(List.of(host("h")), ctx -> ctx.procExec("true"), 0));
        assertThrows(
                IllegalArgumentException.class,
                () -> rootContext.fanOutThrough(List.of(), ctx -> ctx.procExec("true"), 1));
        // A session reached through another context is not this one's to fan out to.
        assertThrows(
                IllegalArgumentException.class,
                () -> rootContext.fanOutThrough(List.of(Session.local()), ctx -> ctx.procExec("true"), 1));
    }
}

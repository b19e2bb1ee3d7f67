package io.mycelium.mesh.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.mycelium.mesh.demo.DemoSpore;
import io.mycelium.mesh.fabric.Budget;
import io.mycelium.mesh.fabric.ControlFabric;
import io.mycelium.mesh.fabric.Endpoint;
import io.mycelium.mesh.fabric.Plan;
import io.mycelium.mesh.spore.Spore;
import io.mycelium.node.Node;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node agent running the demo spore as real processes: start and register, blue/green to a new digest, a new
 * digest that never gets healthy, a killed process restarted by the policy, and every process gone with the node.
 */
class NodeAgentIT {
    private static final Duration WARMUP = Duration.ofMillis(800);

    @TempDir
    Path dir;

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final Set<Long> pids = new HashSet<>();
    private Node node;

    @AfterEach
    void stop() throws Exception {
        if (node != null) {
            node.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
        // Whatever the test saw running must be gone; kill it by pid (and its group) if not.
        for (long pid : pids) {
            ProcessHandle.of(pid).ifPresent(p -> {
                p.destroyForcibly();
            });
        }
    }

    @Test
    void runsBlueGreenRefusesUnhealthyRestartsAKilledProcessAndKeepsBudgets() throws Exception {
        node = Node.start(ConfigFactory.parseMap(Map.of(
                        "mycelium.data-dir", dir.resolve("data").toString(),
                        "mycelium.node.http.port", 0,
                        "mycelium.mesh.agent.warmup", WARMUP.toMillis() + "ms",
                        "mycelium.mesh.agent.stop-grace", "2s",
                        "mycelium.mesh.agent.health-timeout", "6s",
                        "mycelium.mesh.agent.restart", "backoff",
                        "mycelium.mesh.agent.backoff-min", "300ms"))
                .withFallback(ConfigFactory.load()));
        ControlFabric fabric = node.mesh().fabric();
        Spore v1 = DemoSpore.pack(dir.resolve("spores"), "v1", true);
        Spore v2 = DemoSpore.pack(dir.resolve("spores"), "v2", true);
        Spore sick = DemoSpore.pack(dir.resolve("spores"), "v3", false);
        for (String v : List.of("v1", "v2", "v3")) {
            node.mesh().repo().put(DemoSpore.file(dir.resolve("spores"), v));
        }

        fabric.publish(new Plan("billing", v1.digest(), 1, 1, 0), "test")
                .toCompletableFuture()
                .get();
        Endpoint first = await("v1 serving", () -> endpointAnswering("v1"));
        NodeAgent.InstanceView one = onlyInstance();
        pids.add(one.pid());
        // Its own process group and session: pgid == pid.
        assertThat(processGroup(one.pid())).isEqualTo(one.pid());
        assertThat(Path.of(one.dir()).resolve("binary")).isExecutable();
        await("stdout log", () -> Files.exists(Path.of(one.dir(), "stdout.log")) ? true : null);

        fabric.publish(new Plan("billing", v2.digest(), 1, 1, 0), "test")
                .toCompletableFuture()
                .get();
        long published = System.nanoTime();
        Endpoint second = await("v2 serving", () -> endpointAnswering("v2"));
        assertThat(second.url()).isNotEqualTo(first.url());
        await(
                "v1's process gone",
                () -> ProcessHandle.of(one.pid()).map(ProcessHandle::isAlive).orElse(false) ? null : true);
        assertThat(Duration.ofNanos(System.nanoTime() - published)).isLessThan(WARMUP.plusSeconds(2 + 6));
        NodeAgent.InstanceView two = onlyInstance();
        pids.add(two.pid());

        fabric.publish(new Plan("billing", sick.digest(), 1, 1, 0), "test")
                .toCompletableFuture()
                .get();
        await(
                "the sick digest refused",
                () -> facts().stream()
                                .anyMatch(f -> f.kind() == InstanceFact.Kind.HEALTH_FAILED
                                        && f.digest().equals(sick.digest()))
                        ? true
                        : null);
        await("the sick process stopped", () -> instances().size() == 1 ? true : null);
        assertThat(onlyInstance().pid()).isEqualTo(two.pid());
        assertThat(body(second.url() + "/hello")).contains("v2");

        // Back to v2 in the plan, then kill its process: withdrawn, restarted by the backoff policy.
        fabric.publish(new Plan("billing", v2.digest(), 1, 1, 0), "test")
                .toCompletableFuture()
                .get();
        new ProcessBuilder("kill", "-9", Long.toString(two.pid())).start().waitFor();
        await(
                "exit recorded and restart scheduled",
                () -> facts().stream().anyMatch(f -> f.kind() == InstanceFact.Kind.RESTART_SCHEDULED) ? true : null);
        assertThat(facts()).anyMatch(f -> f.kind() == InstanceFact.Kind.EXITED && f.pid() == two.pid());
        Endpoint third = await("v2 serving again", () -> {
            Endpoint e = endpointAnswering("v2");
            return e != null && !e.url().equals(second.url()) ? e : null;
        });
        NodeAgent.InstanceView three = onlyInstance();
        pids.add(three.pid());
        assertThat(three.pid()).isNotEqualTo(two.pid());
        assertThat(third.url()).isNotEqualTo(second.url());

        // Budgets: CPU and memory reach the process as its cgroup's quota and limit where cgroups are writable (this
        // host when root), else memory as its address-space rlimit; maxInstances 1 leaves no room for a blue/green
        // overlap, so the next digest is refused and the running one keeps serving.
        fabric.setBudget(new Budget("billing", 2, 100, 4096), "test")
                .toCompletableFuture()
                .get();
        Thread.sleep(300);
        fabric.publish(new Plan("billing", v1.digest(), 1, 1, 0), "test")
                .toCompletableFuture()
                .get();
        await("v1 serving under the budget", () -> endpointAnswering("v1"));
        NodeAgent.InstanceView limited = onlyInstance();
        pids.add(limited.pid());
        List<String> rlimits = Files.readAllLines(Path.of("/proc/" + limited.pid() + "/limits"));
        Path cpuCgroup = null;
        if (Files.isWritable(Path.of("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"))) {
            assertThat(limited.limits()).isEqualTo(Map.of("cpu", "cgroup-v1", "memory", "cgroup-v1"));
            String line = Files.readAllLines(Path.of("/proc/" + limited.pid() + "/cgroup")).stream()
                    .filter(l -> l.matches("\\d+:cpu(,cpuacct)?:.*"))
                    .findFirst()
                    .orElseThrow();
            assertThat(line).endsWith("/mycelium/" + CgroupLimits.name(limited.agent()) + "/" + limited.id());
            cpuCgroup = Path.of("/sys/fs/cgroup/cpu" + line.substring(line.lastIndexOf(':') + 1));
            assertThat(Files.readString(cpuCgroup.resolve("cpu.cfs_quota_us")).trim())
                    .isEqualTo("10000");
            assertThat(rlimits).anyMatch(l -> l.startsWith("Max address space") && l.contains("unlimited"));
        } else {
            assertThat(limited.limits()).isEqualTo(Map.of("cpu", "none", "memory", "rlimit"));
            assertThat(rlimits)
                    .anyMatch(l -> l.startsWith("Max address space") && l.contains(Long.toString(4096L << 20)));
        }
        assertThat(facts())
                .anyMatch(f -> f.kind() == InstanceFact.Kind.STARTED
                        && f.pid() == limited.pid()
                        && f.detail()
                                .contains("limits: cpu " + limited.limits().get("cpu") + ", memory "
                                        + limited.limits().get("memory")));
        fabric.setBudget(new Budget("billing", 1, 0, 0), "test")
                .toCompletableFuture()
                .get();
        Thread.sleep(300);
        fabric.publish(new Plan("billing", v2.digest(), 1, 1, 0), "test")
                .toCompletableFuture()
                .get();
        await(
                "the budget refused v2",
                () -> facts().stream()
                                .anyMatch(f -> f.kind() == InstanceFact.Kind.BUDGET_REFUSED
                                        && f.digest().equals(v2.digest()))
                        ? true
                        : null);
        assertThat(onlyInstance().pid()).isEqualTo(limited.pid());

        node.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
        node = null;
        if (cpuCgroup != null) {
            assertThat(cpuCgroup)
                    .as("the instance's cgroup after the node stopped")
                    .doesNotExist();
            assertThat(cpuCgroup.getParent())
                    .as("the agent's cgroup after the node stopped")
                    .doesNotExist();
        }
        for (long pid : pids) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                    .as("pid " + pid + " after the node stopped")
                    .isFalse();
        }
    }

    private Endpoint endpointAnswering(String version) throws Exception {
        List<Endpoint> endpoints =
                node.mesh().fabric().endpoints("billing").toCompletableFuture().get();
        if (endpoints.size() != 1) {
            return null;
        }
        String hello = body(endpoints.get(0).url() + "/hello");
        return hello != null && hello.contains("billing " + version) ? endpoints.get(0) : null;
    }

    private String body(String url) {
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .timeout(Duration.ofSeconds(2))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : null;
        } catch (Exception e) {
            return null;
        }
    }

    private List<NodeAgent.InstanceView> instances() throws Exception {
        ActorRef<NodeAgent.Command> agent =
                node.mesh().agents().toCompletableFuture().get().get(0);
        return AskPattern.<NodeAgent.Command, List<NodeAgent.InstanceView>>ask(
                        agent,
                        NodeAgent.GetInstances::new,
                        Duration.ofSeconds(5),
                        node.system().scheduler())
                .toCompletableFuture()
                .get();
    }

    private NodeAgent.InstanceView onlyInstance() throws Exception {
        List<NodeAgent.InstanceView> all = await("one instance", () -> {
            List<NodeAgent.InstanceView> now = instances();
            return now.size() == 1 ? now : null;
        });
        return all.get(0);
    }

    private List<InstanceFact> facts() throws Exception {
        ActorRef<NodeAgent.Command> agent =
                node.mesh().agents().toCompletableFuture().get().get(0);
        return AskPattern.<NodeAgent.Command, AgentFacts.Facts>ask(
                        agent,
                        NodeAgent.GetFacts::new,
                        Duration.ofSeconds(5),
                        node.system().scheduler())
                .toCompletableFuture()
                .get()
                .facts();
    }

    private static long processGroup(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] afterName = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(afterName[2]);
    }

    interface Check<T> {
        T get() throws Exception;
    }

    private static <T> T await(String what, Check<T> check) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            T value = check.get();
            if (value != null) {
                return value;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("timed out waiting for " + what);
    }
}

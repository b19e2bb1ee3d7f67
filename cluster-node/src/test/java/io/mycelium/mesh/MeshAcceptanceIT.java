package io.mycelium.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.mycelium.mesh.agent.AgentFacts;
import io.mycelium.mesh.agent.InstanceFact;
import io.mycelium.mesh.agent.NodeAgent;
import io.mycelium.mesh.demo.DemoSpore;
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
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The seed's three acceptance tests on a mesh of three node agents behind the edge: pack, publish, run; update under
 * continuous load with no failed request and the old processes gone within warm-up + 2 s; kill a workload under
 * load and count the client errors while the restart policy brings it back.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MeshAcceptanceIT {
    private static final Duration WARMUP = Duration.ofSeconds(2);
    private static final int AGENTS = 3;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private static final Set<Long> PIDS = ConcurrentHashMap.newKeySet();

    private static Path dir;
    private static Node node;
    private static String edge;
    private static Spore v1;
    private static Spore v2;

    @BeforeAll
    static void startMesh() throws Exception {
        dir = Files.createTempDirectory("mesh-acceptance");
        node = Node.start(ConfigFactory.parseMap(Map.of(
                        "mycelium.data-dir",
                        dir.resolve("data").toString(),
                        "mycelium.node.http.port",
                        0,
                        "mycelium.mesh.agent.count",
                        AGENTS,
                        "mycelium.mesh.agent.warmup",
                        WARMUP.toMillis() + "ms",
                        "mycelium.mesh.agent.stop-grace",
                        "2s",
                        "mycelium.mesh.agent.restart",
                        "backoff",
                        "mycelium.mesh.edge.port",
                        0))
                .withFallback(ConfigFactory.load()));
        edge = "http://127.0.0.1:"
                + node.mesh()
                        .edgeBinding()
                        .toCompletableFuture()
                        .get(10, TimeUnit.SECONDS)
                        .localAddress()
                        .getPort();
        v1 = DemoSpore.pack(dir.resolve("spores"), "v1", true);
        v2 = DemoSpore.pack(dir.resolve("spores"), "v2", true);
        node.mesh().repo().put(DemoSpore.file(dir.resolve("spores"), "v1"));
        node.mesh().repo().put(DemoSpore.file(dir.resolve("spores"), "v2"));
    }

    @AfterAll
    static void stopMesh() throws Exception {
        if (node != null) {
            node.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
        for (long pid : PIDS) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(f -> f.toFile().delete());
        }
    }

    @Test
    @Order(1)
    void packPublishRunAnswersThroughTheEdgeWithItsHeader() throws Exception {
        HttpResponse<String> none = get("/billing/hello");
        assertThat(none.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(none.body()).path("code").asText()).isEqualTo("no_endpoint");

        node.mesh()
                .fabric()
                .publish(new Plan("billing", v1.digest(), 1, 1, 0), "test")
                .toCompletableFuture()
                .get();
        awaitInstances(v1.digest());

        // The edge learns endpoints from Distributed Data a moment after the agents register them.
        int sent = 1; // the 503 above
        HttpResponse<String> hello = get("/billing/hello");
        sent++;
        long routable = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (hello.statusCode() == 503 && System.nanoTime() < routable) {
            Thread.sleep(50);
            hello = get("/billing/hello");
            sent++;
        }
        assertThat(hello.statusCode()).isEqualTo(200);
        assertThat(hello.body()).startsWith("hello from billing v1");
        String stamp = hello.headers().firstValue("X-Mycelium-Edge").orElseThrow();
        assertThat(OffsetDateTime.parse(stamp).toInstant())
                .isBetween(Instant.now().minusSeconds(60), Instant.now());

        // Every agent's endpoint reaches the edge (the first 200 may come while it knows only some)...
        Set<String> seen = new HashSet<>();
        while (seen.size() < AGENTS && System.nanoTime() < routable) {
            seen.add(get("/billing/hello").body());
            sent++;
        }
        assertThat(seen).hasSize(AGENTS);
        // ...then round robin over the three agents' processes, the prefix stripped, bodies streamed both ways.
        Set<String> answeredBy = new HashSet<>();
        for (int i = 0; i < 9; i++) {
            answeredBy.add(get("/billing/hello").body());
            sent++;
        }
        assertThat(answeredBy).hasSize(AGENTS);
        byte[] big = new byte[3 << 20];
        java.util.Arrays.fill(big, (byte) 'x');
        HttpResponse<byte[]> echo = HTTP.send(
                HttpRequest.newBuilder(URI.create(edge + "/billing/echo/a?b=c"))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(big))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        String head = "billing: POST /echo/a?b=c\n";
        assertThat(echo.statusCode()).isEqualTo(200);
        assertThat(new String(echo.body(), 0, head.length())).isEqualTo(head);
        assertThat(echo.body()).hasSize(head.length() + big.length);

        Map<?, ?> metrics = JSON.readValue(
                HTTP.send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                                + node.httpAddress().getPort() + "/api/metrics"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body(),
                Map.class);
        assertThat(((Map<?, ?>) ((Map<?, ?>) metrics.get("edge")).get("billing")).get("requests"))
                .as("every request sent, the echo included")
                .isEqualTo(sent + 1);
    }

    @Test
    @Order(2)
    void updateUnderContinuousLoadFailsNoRequestAndStopsTheOldProcessesInTime() throws Exception {
        Map<String, Long> oldPids = pidsByAgent(v1.digest());
        assertThat(oldPids).hasSize(AGENTS);
        Map<Long, Instant> died = new ConcurrentHashMap<>();
        Thread watcher = watchDeaths(oldPids.values(), died);
        try (Load load = new Load(2)) {
            Thread.sleep(500);
            node.mesh()
                    .fabric()
                    .publish(new Plan("billing", v2.digest(), 1, 1, 0), "test")
                    .toCompletableFuture()
                    .get();
            awaitInstances(v2.digest());
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (died.size() < AGENTS && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            Thread.sleep(500);
            load.stop();
            assertThat(load.ok.get()).as("requests answered").isGreaterThan(100);
            assertThat(load.failures).as("failed requests").isEmpty();
            assertThat(load.bodies).anyMatch(b -> b.contains("v1")).anyMatch(b -> b.contains("v2"));
        }
        watcher.interrupt();
        assertThat(died.keySet()).containsExactlyInAnyOrderElementsOf(oldPids.values());
        Map<String, Instant> serving = servingTimes(v2.digest());
        for (Map.Entry<String, Long> old : oldPids.entrySet()) {
            Duration afterTakeover = Duration.between(serving.get(old.getKey()), died.get(old.getValue()));
            assertThat(afterTakeover)
                    .as("old pid %d of %s", old.getValue(), old.getKey())
                    .isLessThanOrEqualTo(WARMUP.plusSeconds(2));
        }
        assertThat(get("/billing/hello").body()).startsWith("hello from billing v2");
    }

    @Test
    @Order(3)
    void aKilledWorkloadCostsNoClientRequestAndTheRestartPolicyBringsItBack() throws Exception {
        Map<String, Long> before = pidsByAgent(v2.digest());
        String victimAgent = before.keySet().iterator().next();
        long victim = before.get(victimAgent);
        try (Load load = new Load(2)) {
            Thread.sleep(500);
            new ProcessBuilder("kill", "-KILL", Long.toString(victim)).start().waitFor();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            Map<String, Long> after = Map.of();
            while (System.nanoTime() < deadline) {
                after = pidsByAgent(v2.digest());
                if (after.size() == AGENTS && !after.containsValue(victim) && servingPid(victimAgent) != null) {
                    break;
                }
                Thread.sleep(50);
            }
            Thread.sleep(500);
            load.stop();
            System.out.println(
                    "kill under load: " + load.ok.get() + " answered, " + load.failures.size() + " client errors");
            assertThat(load.failures)
                    .as("client errors while a workload was killed")
                    .isEmpty();
            assertThat(after.get(victimAgent)).isNotNull().isNotEqualTo(victim);
        }
        List<InstanceFact> facts = facts(victimAgent);
        assertThat(facts).anyMatch(f -> f.kind() == InstanceFact.Kind.EXITED && f.pid() == victim);
        assertThat(facts).anyMatch(f -> f.kind() == InstanceFact.Kind.RESTART_SCHEDULED);
        Set<String> answeredBy = new HashSet<>();
        for (int i = 0; i < 9; i++) {
            answeredBy.add(get("/billing/hello").body());
        }
        assertThat(answeredBy).hasSize(AGENTS);
    }

    /** Sends GET /billing/hello without pause from {@code threads} threads, for at most 60 s. */
    private static final class Load implements AutoCloseable {
        final AtomicInteger ok = new AtomicInteger();
        final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        final Set<String> bodies = ConcurrentHashMap.newKeySet();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();

        Load(int count) {
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            for (int i = 0; i < count; i++) {
                Thread t = new Thread(() -> {
                    while (running.get() && System.nanoTime() < end) {
                        try {
                            HttpResponse<String> r = get("/billing/hello");
                            if (r.statusCode() == 200) {
                                ok.incrementAndGet();
                                bodies.add(r.body().substring(0, "hello from billing v1".length()));
                            } else {
                                failures.add(r.statusCode() + " " + r.body());
                            }
                        } catch (Exception e) {
                            failures.add(e.toString());
                        }
                    }
                });
                t.start();
                threads.add(t);
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(10_000);
            }
        }

        @Override
        public void close() {
            try {
                stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Thread watchDeaths(java.util.Collection<Long> pids, Map<Long, Instant> died) {
        Thread t = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted() && died.size() < pids.size()) {
                for (long pid : pids) {
                    if (!died.containsKey(pid)
                            && !ProcessHandle.of(pid)
                                    .map(ProcessHandle::isAlive)
                                    .orElse(false)) {
                        died.put(pid, Instant.now());
                    }
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(edge + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static List<ActorRef<NodeAgent.Command>> agents() throws Exception {
        return node.mesh().agents().toCompletableFuture().get();
    }

    private static List<NodeAgent.InstanceView> instances(ActorRef<NodeAgent.Command> agent) throws Exception {
        return AskPattern.<NodeAgent.Command, List<NodeAgent.InstanceView>>ask(
                        agent,
                        NodeAgent.GetInstances::new,
                        Duration.ofSeconds(5),
                        node.system().scheduler())
                .toCompletableFuture()
                .get();
    }

    /** Agent -> the pid of its SERVING instance of {@code digest}. */
    private static Map<String, Long> pidsByAgent(String digest) throws Exception {
        Map<String, Long> pids = new HashMap<>();
        for (ActorRef<NodeAgent.Command> agent : agents()) {
            for (NodeAgent.InstanceView i : instances(agent)) {
                PIDS.add(i.pid());
                if (i.digest().equals(digest) && i.phase().equals("SERVING")) {
                    pids.put(i.agent(), i.pid());
                }
            }
        }
        return pids;
    }

    private static Long servingPid(String agentId) throws Exception {
        for (ActorRef<NodeAgent.Command> agent : agents()) {
            for (NodeAgent.InstanceView i : instances(agent)) {
                if (i.agent().equals(agentId) && i.phase().equals("SERVING")) {
                    return i.pid();
                }
            }
        }
        return null;
    }

    private static void awaitInstances(String digest) throws Exception {
        // Three JVMs starting on two busy cores under the load threads: generous, bounded.
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (pidsByAgent(digest).size() == AGENTS
                    && node.mesh()
                                    .fabric()
                                    .endpoints("billing")
                                    .toCompletableFuture()
                                    .get()
                                    .size()
                            == AGENTS) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("not every agent serves " + digest);
    }

    private static List<InstanceFact> facts(String agentId) throws Exception {
        for (ActorRef<NodeAgent.Command> agent : agents()) {
            List<InstanceFact> facts = AskPattern.<NodeAgent.Command, AgentFacts.Facts>ask(
                            agent,
                            NodeAgent.GetFacts::new,
                            Duration.ofSeconds(5),
                            node.system().scheduler())
                    .toCompletableFuture()
                    .get()
                    .facts();
            if (instances(agent).stream().anyMatch(i -> i.agent().equals(agentId))) {
                return facts;
            }
        }
        return List.of();
    }

    /** Agent -> when its instance of {@code digest} started serving. */
    private static Map<String, Instant> servingTimes(String digest) throws Exception {
        Map<String, Instant> times = new HashMap<>();
        for (ActorRef<NodeAgent.Command> agent : agents()) {
            String agentId = instances(agent).get(0).agent();
            AskPattern.<NodeAgent.Command, AgentFacts.Facts>ask(
                            agent,
                            NodeAgent.GetFacts::new,
                            Duration.ofSeconds(5),
                            node.system().scheduler())
                    .toCompletableFuture()
                    .get()
                    .facts()
                    .stream()
                    .filter(f ->
                            f.kind() == InstanceFact.Kind.SERVING && f.digest().equals(digest))
                    .forEach(f -> times.put(agentId, f.at()));
        }
        return times;
    }
}

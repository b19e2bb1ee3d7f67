package io.mycelium.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mycelium.testhosts.RequiresPostgres;
import io.mycelium.testhosts.TestDatabase;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three node JVMs ({@code mycelium node}, started from the packaged jar as {@code bin/mycelium} starts it) on loopback
 * sharing one PostgreSQL journal. The node that holds the context of host {@code local} while it runs a busy process
 * is killed with SIGKILL; the survivors must take over: the caller gets a structured answer, a new exec on the same
 * host works once the split-brain resolver has downed the dead node, no execution's facts are lost, the busy
 * execution ends as failed (lost), and the list of active executions lets it go. Then the new owner of the context is
 * stopped with SIGTERM: it hands the shard off and leaves, and the last node carries on alone.
 *
 * <p>The nodes' output is in {@code target/cluster-kill-it/node-N.log}.
 */
@RequiresPostgres
class ClusterKillIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Path WORK = Path.of("target", "cluster-kill-it").toAbsolutePath();

    private static TestDatabase database;
    private static final List<NodeProcess> nodes = new ArrayList<>();

    /** One node JVM: its process, cluster port and admin port. */
    private record NodeProcess(int index, Process process, int clusterPort, int httpPort) {
        String address() {
            return "pekko://mycelium@127.0.0.1:" + clusterPort;
        }

        boolean alive() {
            return process.isAlive();
        }

        @Override
        public String toString() {
            return "node-" + index + " (pid " + process.pid() + ", " + address() + ", admin :" + httpPort + ")";
        }
    }

    @BeforeAll
    @Timeout(value = 80, unit = TimeUnit.SECONDS)
    static void startThreeNodes() throws Exception {
        database = TestDatabase.create();
        Files.createDirectories(WORK);
        int[] clusterPorts = {freePort(), freePort(), freePort()};
        String seeds = Stream.of(0, 1, 2)
                .map(i -> "\"pekko://mycelium@127.0.0.1:" + clusterPorts[i] + "\"")
                .collect(Collectors.joining(", "));
        for (int i = 0; i < 3; i++) {
            int httpPort = freePort();
            Path config = WORK.resolve("node-" + (i + 1) + ".conf");
            Files.writeString(config, """
                    mycelium.journal {
                      kind = postgres
                      url = "%s"
                      user = "%s"
                      password = "%s"
                      max-connections = 4
                    }
                    mycelium.data-dir = "%s"
                    mycelium.node.http.port = %d
                    # Probe open executions often, and let the active list wake quiet ones soon.
                    mycelium.node.exec { probe-interval = 1s, start-grace = 3s }
                    pekko.remote.artery.canonical.port = %d
                    pekko.cluster.seed-nodes = [%s]
                    pekko.cluster.split-brain-resolver.stable-after = 5s
                    jdbc-read-journal.refresh-interval = 200ms
                    """.formatted(
                            database.url(),
                            database.user(),
                            database.password(),
                            WORK.resolve("data-" + (i + 1)),
                            httpPort,
                            clusterPorts[i],
                            seeds));
            nodes.add(new NodeProcess(i + 1, launch(i + 1, config), clusterPorts[i], httpPort));
        }
        for (NodeProcess node : nodes) {
            await("3 members Up as seen by " + node, Duration.ofSeconds(70), () -> upMembers(node) == 3);
        }
    }

    private static Process launch(int index, Path config) throws IOException {
        Path target = Path.of("target").toAbsolutePath();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-Xss512k",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1"));
        if (Runtime.version().feature() >= 23) {
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.addAll(List.of(
                "-cp",
                target.resolve("mycelium-cluster-node.jar") + File.pathSeparator + target.resolve("lib") + "/*",
                "io.mycelium.cli.MyceliumCommand",
                "node",
                "--config",
                config.toString()));
        File log = WORK.resolve("node-" + index + ".log").toFile();
        return new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(log)
                .redirectErrorStream(true)
                .start();
    }

    @AfterAll
    static void stopEverything() throws Exception {
        for (NodeProcess node : nodes) {
            node.process().destroyForcibly();
        }
        for (NodeProcess node : nodes) {
            node.process().waitFor(10, TimeUnit.SECONDS);
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    @Timeout(value = 95, unit = TimeUnit.SECONDS)
    void killingTheNodeThatHoldsABusyContextLosesNoFacts() throws Exception {
        // Facts written before the kill, through every node.
        List<String> before = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String id = "before-" + i;
            HttpResponse<String> r = call(nodes.get(i % 3), "POST", "/api/v1/exec", exec(id, "echo", "" + i));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(json(r).get("stdout").asText()).as(r.body()).isEqualTo(i + "\n");
            before.add(id);
        }

        // Every node answers from the singletons and entities wherever they live (their replies cross the cluster).
        for (NodeProcess node : nodes) {
            HttpResponse<String> hosts = call(node, "GET", "/api/v1/hosts", null);
            assertThat(hosts.statusCode()).as(node + ": " + hosts.body()).isEqualTo(200);
            assertThat(json(hosts).findValuesAsText("id")).contains("local");
        }

        NodeProcess owner = contextOwner(nodes.get(0));
        List<NodeProcess> survivors = nodes.stream().filter(n -> n != owner).toList();
        NodeProcess caller = survivors.get(0);

        // A busy process on `local`, asked for through a node that survives.
        CompletableFuture<HttpResponse<String>> busy = CompletableFuture.supplyAsync(() -> {
            try {
                return call(
                        caller,
                        "POST",
                        "/api/v1/exec",
                        exec("busy-1", "sh", "-c", "while :; do echo tick; sleep 0.2; done"),
                        Duration.ofSeconds(60));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        await("busy-1 running", Duration.ofSeconds(15), () -> "RUNNING".equals(state(caller, "busy-1")));
        long busyPid = json(call(caller, "GET", "/api/v1/exec/busy-1", null))
                .get("pid")
                .asLong();
        await(
                "busy-1 in the active list of " + survivors.get(1),
                Duration.ofSeconds(10),
                () -> activeIds(survivors.get(1), "?agentId=local&state=running")
                        .contains("busy-1"));
        assertThat(contextOwner(caller)).as("the context has not moved").isEqualTo(owner);

        owner.process().destroyForcibly(); // SIGKILL
        assertThat(owner.process().waitFor(10, TimeUnit.SECONDS)).isTrue();

        // The caller gets a structured answer: the output stopped, with a code saying why.
        HttpResponse<String> busyAnswer = busy.get(30, TimeUnit.SECONDS);
        JsonNode answer = json(busyAnswer);
        assertThat(busyAnswer.statusCode()).as(busyAnswer.body()).isEqualTo(200);
        assertThat(answer.get("error").get("code").asText())
                .as(busyAnswer.body())
                .isEqualTo("connection_lost");
        assertThat(answer.get("stdout").asText()).contains("tick");

        // The split-brain resolver downs the dead node; the survivors carry on as two.
        for (NodeProcess survivor : survivors) {
            await(
                    "the dead node removed, as seen by " + survivor,
                    Duration.ofSeconds(40),
                    () -> members(survivor).size() == 2 && upMembers(survivor) == 2);
        }

        // A new exec on the same host works through a survivor (on the context's new owner); until it does, every
        // refusal is a structured error.
        String after = awaitExec(survivors.get(1), "after-kill");
        NodeProcess newOwner = contextOwner(survivors.get(1));
        assertThat(survivors).contains(newOwner);

        // No fact is lost: every execution from before the kill answers from each survivor.
        for (NodeProcess survivor : survivors) {
            for (String id : before) {
                JsonNode status = json(call(survivor, "GET", "/api/v1/exec/" + id, null));
                assertThat(status.get("state").asText())
                        .as(id + " on " + survivor)
                        .isEqualTo("EXITED");
                assertThat(status.get("exitCode").asInt()).isZero();
            }
            assertThat(state(survivor, after)).isEqualTo("EXITED");
        }

        // The busy execution ends: its entity finds that the new context does not know the process.
        await("busy-1 closed", Duration.ofSeconds(30), () -> "FAILED".equals(state(caller, "busy-1")));
        JsonNode closed = json(call(survivors.get(1), "GET", "/api/v1/exec/busy-1", null));
        assertThat(closed.get("reason").asText()).contains("no longer knows the process");
        assertThat(closed.get("endTime").isNull()).isFalse();
        for (NodeProcess survivor : survivors) {
            await(
                    "busy-1 out of the active list of " + survivor,
                    Duration.ofSeconds(10),
                    () -> !activeIds(survivor, "").contains("busy-1"));
        }
        // The local agent went with its node, and took its process with it.
        await(
                "process " + busyPid + " gone",
                Duration.ofSeconds(10),
                () -> ProcessHandle.of(busyPid).map(p -> !p.isAlive()).orElse(true));

        // A stop (SIGTERM) of the context's new owner hands the shard off: the last node runs on `local` at once,
        // without waiting for the split-brain resolver (which would down a lone node of two).
        NodeProcess last =
                survivors.stream().filter(n -> n != newOwner).findFirst().orElseThrow();
        newOwner.process().destroy(); // SIGTERM
        assertThat(newOwner.process().waitFor(30, TimeUnit.SECONDS))
                .as(newOwner + " exits after SIGTERM")
                .isTrue();
        await(
                "the stopped node left",
                Duration.ofSeconds(15),
                () -> members(last).size() == 1);
        assertThat(upMembers(last)).isEqualTo(1);
        awaitExec(last, "after-stop");
        assertThat(contextOwner(last)).isEqualTo(last);
        for (String id : before) {
            assertThat(state(last, id)).isEqualTo("EXITED");
        }
        assertThat(state(last, "busy-1")).isEqualTo("FAILED");
    }

    /** Runs {@code echo} on {@code local} through {@code node} with fresh ids until one succeeds; returns its id. */
    private static String awaitExec(NodeProcess node, String prefix) throws Exception {
        List<String> refusals = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        for (int attempt = 0; System.nanoTime() < deadline; attempt++) {
            String id = prefix + "-" + attempt;
            HttpResponse<String> r = call(node, "POST", "/api/v1/exec", exec(id, "echo", "ok"), Duration.ofSeconds(15));
            JsonNode body = json(r);
            if (r.statusCode() == 200 && body.get("exitCode").asInt(-1) == 0) {
                assertThat(body.get("stdout").asText()).isEqualTo("ok\n");
                return id;
            }
            // Refused or failed while the cluster settles: always JSON with a code.
            String code = r.statusCode() == 200
                    ? body.get("error").get("code").asText()
                    : body.get("code").asText();
            assertThat(code).as(r.body()).isNotBlank();
            refusals.add(r.statusCode() + " " + code);
            Thread.sleep(500);
        }
        throw new AssertionError("no exec on local succeeded through " + node + "; answers: " + refusals);
    }

    private static String exec(String id, String... command) throws Exception {
        return JSON.writeValueAsString(java.util.Map.of("id", id, "agentId", "local", "command", List.of(command)));
    }

    private static NodeProcess contextOwner(NodeProcess asked) throws Exception {
        HttpResponse<String> r = call(asked, "GET", "/api/v1/hosts/local/context", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        String address = json(r).get("node").asText();
        return nodes.stream()
                .filter(n -> n.address().equals(address))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no node at " + address + ": " + r.body()));
    }

    private static List<JsonNode> members(NodeProcess node) throws Exception {
        HttpResponse<String> r = call(node, "GET", "/api/v1/cluster", null);
        if (r.statusCode() != 200) {
            return List.of();
        }
        List<JsonNode> members = new ArrayList<>();
        json(r).get("members").forEach(members::add);
        return members;
    }

    private static long upMembers(NodeProcess node) throws Exception {
        return members(node).stream()
                .filter(m -> m.get("status").asText().equals("Up")
                        && m.get("reachable").asBoolean())
                .count();
    }

    private static String state(NodeProcess node, String id) throws Exception {
        HttpResponse<String> r = call(node, "GET", "/api/v1/exec/" + id, null);
        return r.statusCode() == 200 ? json(r).get("state").asText() : "HTTP " + r.statusCode();
    }

    private static List<String> activeIds(NodeProcess node, String query) throws Exception {
        HttpResponse<String> r = call(node, "GET", "/api/v1/exec" + query, null);
        return r.statusCode() == 200
                ? json(r).get("executions").findValuesAsText("id")
                : List.of("HTTP " + r.statusCode());
    }

    private static HttpResponse<String> call(NodeProcess node, String method, String path, String body)
            throws Exception {
        return call(node, method, path, body, Duration.ofSeconds(15));
    }

    private static HttpResponse<String> call(
            NodeProcess node, String method, String path, String body, Duration timeout) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
                .timeout(timeout)
                .header("content-type", "application/json");
        b = body == null
                ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.method(method, HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws IOException {
        return JSON.readTree(r.body());
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    /** Polls {@code check} until it holds; a node that died meanwhile fails at once, naming its log. */
    private static void await(String what, Duration within, Check check) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (check.holds()) {
                    return;
                }
                last = null;
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(250);
        }
        List<String> dead = nodes.stream()
                .filter(Predicate.not(NodeProcess::alive))
                .map(NodeProcess::toString)
                .toList();
        throw new AssertionError(
                "timed out after " + within.toSeconds() + " s waiting for " + what + "; stopped nodes: " + dead
                        + "; logs in " + WORK,
                last);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}

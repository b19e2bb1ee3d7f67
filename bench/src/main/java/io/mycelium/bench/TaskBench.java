package io.mycelium.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mycelium.journal.JournalSettings;
import io.mycelium.node.Node;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Task queue throughput, submit to complete (bench/task-run.sh): one node, {@code bench.tasks.workers} worker agents
 * over WebSocket that accept and complete every assignment at once, {@code bench.tasks.clients} HTTP clients submitting
 * {@code bench.tasks.count} capability tasks. Reports tasks/s from the first submission to the last completion and
 * the latency p50/p99 from a task's submission to the worker's completion. The embedded H2 journal, and PostgreSQL
 * when {@code MYCELIUM_PG_URL} is set. Bounded: it gives up after {@code bench.tasks.timeout-s} (300).
 */
public final class TaskBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final int count = Integer.getInteger("bench.tasks.count", 5000);
    private final int workers = Integer.getInteger("bench.tasks.workers", 4);
    private final int clients = Integer.getInteger("bench.tasks.clients", 8);
    private final int slots = Integer.getInteger("bench.tasks.slots", 64);
    private final long timeoutSeconds = Long.getLong("bench.tasks.timeout-s", 300);

    public static void main(String[] args) throws Exception {
        TaskBench bench = new TaskBench();
        Path dir = Files.createTempDirectory("task-bench");
        bench.run("h2", ConfigFactory.parseMap(Map.of("mycelium.data-dir", dir.toString())));
        String pg = System.getenv("MYCELIUM_PG_URL");
        if (pg != null) {
            // A schema of its own: the database is shared with other runs.
            String schema = "taskbench_" + Long.toHexString(System.nanoTime());
            sql(pg, "CREATE SCHEMA " + schema);
            try {
                bench.run(
                        "postgres",
                        JournalSettings.postgres(
                                        pg + (pg.contains("?") ? "&" : "?") + "currentSchema=" + schema,
                                        "mycelium",
                                        "mycelium")
                                .withFallback(ConfigFactory.parseMap(Map.of("mycelium.data-dir", dir.toString()))));
            } finally {
                sql(pg, "DROP SCHEMA " + schema + " CASCADE");
            }
        } else {
            System.out.println("postgres: skipped (no MYCELIUM_PG_URL)");
        }
        System.exit(0);
    }

    private static void sql(String url, String statement) throws java.sql.SQLException {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, "mycelium", "mycelium");
                java.sql.Statement st = c.createStatement()) {
            st.execute(statement);
        }
    }

    private void run(String name, Config journal) throws Exception {
        Config config = journal.withFallback(ConfigFactory.parseMap(Map.of(
                        "mycelium.node.http.port", 0,
                        "mycelium.node.rate-limits.actions.http.capacity", 0,
                        "mycelium.node.rate-limits.actions.task-submit.capacity", 0,
                        "mycelium.node.rate-limits.actions.agent-message.capacity", 0,
                        "mycelium.node.journal.backup-interval", "0s",
                        "pekko.loglevel", "WARNING")))
                .withFallback(ConfigFactory.load())
                .resolve();
        Node node = Node.start(config);
        int port = node.httpAddress().getPort();
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newFixedThreadPool(4))
                .build();
        Map<String, Long> submitted = new ConcurrentHashMap<>();
        long[] latencies = new long[count];
        AtomicInteger done = new AtomicInteger();
        CountDownLatch all = new CountDownLatch(count);
        List<WebSocket> sockets = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            sockets.add(worker(http, port, "bench-" + w, submitted, latencies, done, all));
        }
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long start = System.nanoTime();
        AtomicInteger next = new AtomicInteger();
        for (int c = 0; c < clients; c++) {
            pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                    long t0 = System.nanoTime();
                    HttpResponse<String> r = http.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/tasks"))
                                    .header("content-type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(
                                            "{\"capability\":\"bench\",\"command\":[\"noop\"]}"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 201) {
                        throw new IllegalStateException("submit: " + r.statusCode() + " " + r.body());
                    }
                    submitted.put(JSON.readTree(r.body()).get("id").asText(), t0);
                }
                return null;
            });
        }
        boolean finished = all.await(timeoutSeconds, TimeUnit.SECONDS);
        long elapsed = System.nanoTime() - start;
        pool.shutdownNow();
        sockets.forEach(WebSocket::abort);
        node.stop().toCompletableFuture().get();
        int n = done.get();
        long[] sorted = Arrays.copyOf(latencies, n);
        Arrays.sort(sorted);
        System.out.printf(
                "%s: %d of %d tasks completed%s with %d workers x %d slots, %d clients: %.0f tasks/s,"
                        + " latency p50 %.1f ms, p99 %.1f ms%n",
                name,
                n,
                count,
                finished ? "" : " (timed out)",
                workers,
                slots,
                clients,
                n / (elapsed / 1e9),
                n == 0 ? 0 : sorted[n / 2] / 1e6,
                n == 0 ? 0 : sorted[Math.min(n - 1, (int) (n * 0.99))] / 1e6);
    }

    /** A worker that accepts and completes every assignment as it arrives. */
    private WebSocket worker(
            HttpClient http,
            int port,
            String id,
            Map<String, Long> submitted,
            long[] latencies,
            AtomicInteger done,
            CountDownLatch all)
            throws Exception {
        WebSocket socket = http.newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/api/v1/agents/connect"), new WebSocket.Listener() {
                    private final StringBuilder partial = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            try {
                                handle(ws, JSON.readTree(partial.toString()));
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                            partial.setLength(0);
                        }
                        ws.request(1);
                        return null;
                    }

                    private void handle(WebSocket ws, JsonNode m) {
                        String type = m.path("type").asText();
                        String task = m.path("taskId").asText();
                        int attempt = m.path("attempt").asInt();
                        String ids = "\"taskId\":\"" + task + "\",\"attempt\":" + attempt;
                        switch (type) {
                            case "assignment" -> ws.sendText("{\"type\":\"accept\"," + ids + "}", true);
                            case "leased" -> ws.sendText("{\"type\":\"complete\"," + ids + "}", true);
                            case "acked" -> {
                                Long t0 = submitted.get(task);
                                int i = done.getAndIncrement();
                                if (t0 != null && i < latencies.length) {
                                    latencies[i] = System.nanoTime() - t0;
                                }
                                all.countDown();
                            }
                            default -> {}
                        }
                    }
                })
                .get(10, TimeUnit.SECONDS);
        socket.sendText(
                "{\"type\":\"hello\",\"agentId\":\"" + id + "\",\"capabilities\":[\"bench\"],\"concurrency\":" + slots
                        + "}",
                true);
        return socket;
    }
}

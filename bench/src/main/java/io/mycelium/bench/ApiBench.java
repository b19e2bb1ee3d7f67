package io.mycelium.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mycelium.Context;
import io.mycelium.Mycelium;
import io.mycelium.Session;
import io.mycelium.exec.Execution;
import io.mycelium.journal.JournalSettings;
import io.mycelium.node.Node;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * The governed exec API against the embedded SDK, in one run (bench/api-run.sh): the same no-op exec ({@code true} on
 * host {@code local}) through {@code Context.procExec} and through {@code POST /api/v1/exec} on one node with the H2
 * journal, one node on PostgreSQL, and three nodes on PostgreSQL (three actor systems in this JVM, clients spread
 * over the three admin ports). Per setup: sequential latency (p50/p99) and throughput with {@code bench.api.clients}
 * concurrent clients, plus execution facts persisted per second during the throughput phase (events tagged {@code
 * exec} counted through the read journal). Knobs: {@code -Dbench.api.requests} (default 1000), {@code
 * -Dbench.api.warmup} (2000: the node's request path is still getting faster
 * after 1,000 calls), {@code -Dbench.api.clients} (8), {@code -Dbench.api.out}; PostgreSQL from
 * {@code MYCELIUM_PG_URL} (setups needing it are skipped, and say so, without it).
 */
public final class ApiBench {
    private static final String BODY = "{\"agentId\":\"local\",\"command\":[\"true\"]}";

    private final int requests = Integer.getInteger("bench.api.requests", 1000);
    private final int warmup = Integer.getInteger("bench.api.warmup", 2000);
    private final int clients = Integer.getInteger("bench.api.clients", 8);
    private final HttpClient http = HttpClient.newBuilder()
            .executor(Executors.newFixedThreadPool(4))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    public static void main(String[] args) throws Exception {
        Path out = Path.of(System.getProperty("bench.api.out", "bench/target/api"));
        Files.createDirectories(out);
        Map<String, Object> results = new ApiBench().run(out);
        Files.writeString(out.resolve("results.json"), Json.write(results));
        System.out.println("results: " + out.resolve("results.json"));
        System.exit(0);
    }

    private Map<String, Object> run(Path out) throws Exception {
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("requests", requests);
        results.put("clients", clients);
        try (Mycelium mycelium = Mycelium.standalone()) {
            Context context = mycelium.open(Session.local());
            results.put("sdk", measure("sdk (Context.procExec)", () -> sdkExec(context), () -> 0L));
        }
        String pg = System.getenv("MYCELIUM_PG_URL");
        results.put("http_1_node_h2", nodes(out.resolve("h2"), 1, null));
        if (pg == null || pg.isBlank()) {
            System.out.println("MYCELIUM_PG_URL is not set: the PostgreSQL setups are skipped");
        } else {
            results.put("http_1_node_postgres", nodes(out.resolve("pg1"), 1, pg));
            results.put("http_3_nodes_postgres", nodes(out.resolve("pg3"), 3, pg));
        }
        return results;
    }

    private static CompletableFuture<Void> sdkExec(Context context) {
        return context.procExec("true").thenAccept(r -> check(r.exitCode() == 0, "true exited " + r.exitCode()));
    }

    private Map<String, Object> nodes(Path dataDir, int count, String pgUrl) throws Exception {
        String schema = "bench_" + Long.toHexString(System.nanoTime());
        if (pgUrl != null) {
            sql(pgUrl, "CREATE SCHEMA " + schema);
        }
        List<Node> started = new ArrayList<>();
        try {
            String seed = null;
            for (int i = 0; i < count; i++) {
                Config config = nodeConfig(dataDir.resolve("node" + i), pgUrl, schema, seed);
                Node node = Node.start(config);
                started.add(node);
                if (seed == null) {
                    seed = Cluster.get(node.system()).selfMember().address().toString();
                }
            }
            awaitMembers(started, count);
            AtomicInteger next = new AtomicInteger();
            List<URI> uris = started.stream()
                    .map(n -> URI.create("http://127.0.0.1:" + n.httpAddress().getPort() + "/api/v1/exec"))
                    .toList();
            String label =
                    "http, " + count + (count == 1 ? " node, " : " nodes, ") + (pgUrl == null ? "H2" : "PostgreSQL");
            Node first = started.get(0);
            return measure(
                    label,
                    () -> httpExec(uris.get(Math.floorMod(next.getAndIncrement(), uris.size()))),
                    () -> facts(first));
        } finally {
            for (int i = started.size() - 1; i >= 0; i--) {
                started.get(i).stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
            }
            if (pgUrl != null) {
                sql(pgUrl, "DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    private static void sql(String url, String statement) throws java.sql.SQLException {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, "mycelium", "mycelium");
                java.sql.Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    private static Config nodeConfig(Path dataDir, String pgUrl, String schema, String seed) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("mycelium.data-dir", dataDir.toString());
        values.put("mycelium.node.http.port", 0);
        // The bench measures the API's own cost, not the limiter: one principal sends everything.
        values.put("mycelium.node.rate-limits.default.requests-per-minute", 10_000_000);
        values.put("mycelium.node.rate-limits.default.concurrent-limit", 1024);
        values.put("mycelium.node.rate-limits.default.queue-size", 4096);
        if (seed != null) {
            values.put("pekko.cluster.seed-nodes", List.of(seed));
        }
        Config config = ConfigFactory.parseMap(values);
        if (pgUrl != null) {
            config = config.withFallback(JournalSettings.postgres(
                    pgUrl + (pgUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema, "mycelium", "mycelium"));
        }
        return config.withFallback(ConfigFactory.load());
    }

    private static void awaitMembers(List<Node> nodes, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            boolean all = nodes.stream().allMatch(n -> {
                var state = Cluster.get(n.system()).state();
                int up = 0;
                for (var m : state.getMembers()) {
                    if (m.status() == MemberStatus.up()) {
                        up++;
                    }
                }
                return up == count;
            });
            if (all) {
                return;
            }
            check(System.nanoTime() < deadline, "the cluster did not reach " + count + " members in 60 s");
            Thread.sleep(100);
        }
    }

    private CompletableFuture<Void> httpExec(URI uri) {
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(BODY))
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenAccept(r -> {
            check(r.statusCode() == 200 && r.body().contains("\"exitCode\":0"), r.statusCode() + " " + r.body());
        });
    }

    /** Events tagged {@code exec} in the node's journal. */
    private static long facts(Node node) {
        JdbcReadJournal journal = PersistenceQuery.get(node.system())
                .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
        return journal.currentEventsByTag(Execution.TAG, Offset.noOffset())
                .runWith(Sink.fold(0L, (n, e) -> n + 1), node.system())
                .toCompletableFuture()
                .join();
    }

    private Map<String, Object> measure(String label, Supplier<CompletableFuture<Void>> exec, Supplier<Long> facts)
            throws Exception {
        for (int i = 0; i < warmup; i++) {
            exec.get().get(60, TimeUnit.SECONDS);
        }
        Samples latency = new Samples();
        for (int i = 0; i < requests; i++) {
            long start = System.nanoTime();
            exec.get().get(60, TimeUnit.SECONDS);
            latency.add(System.nanoTime() - start);
        }
        long factsBefore = facts.get();
        AtomicInteger remaining = new AtomicInteger(requests);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long start = System.nanoTime();
        List<java.util.concurrent.Future<?>> workers = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            workers.add(pool.submit(() -> {
                while (remaining.getAndDecrement() > 0) {
                    exec.get().get(60, TimeUnit.SECONDS);
                }
                return null;
            }));
        }
        for (var w : workers) {
            w.get(10, TimeUnit.MINUTES);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        long factsWritten = facts.get() - factsBefore;
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("label", label);
        r.put("sequential", latency.percentiles());
        r.put("throughput_per_s", requests / seconds);
        if (factsWritten > 0) {
            r.put("facts_per_s", factsWritten / seconds);
            r.put("facts_per_exec", (double) factsWritten / requests);
        }
        System.out.printf(
                Locale.ROOT,
                "%-36s p50 %8.2f ms  p99 %8.2f ms  %8.1f exec/s%s%n",
                label,
                (double) latency.percentiles().get("p50_us") / 1000,
                (double) latency.percentiles().get("p99_us") / 1000,
                requests / seconds,
                factsWritten > 0 ? String.format(Locale.ROOT, "  %8.1f facts/s", factsWritten / seconds) : "");
        return r;
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }

    private ApiBench() {}
}

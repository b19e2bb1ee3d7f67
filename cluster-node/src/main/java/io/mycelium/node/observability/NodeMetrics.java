package io.mycelium.node.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mycelium.task.TaskMeters;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node's metrics (Micrometer, exported as Prometheus text on {@code /metrics} and summarised as JSON on {@code
 * /api/metrics}): task facts by kind, task latency from submission to completion, the task queue's depth, worker
 * agents and their slots, and API responses by status class.
 *
 * <p>Task facts are counted by the node's task index as they happen (not when it reads the history at start), so on
 * every node of a cluster the task counters are the cluster's; agent and API metrics are the node's own.
 */
public final class NodeMetrics implements TaskMeters {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, Counter> facts = new ConcurrentHashMap<>();
    private final Map<String, Counter> responses = new ConcurrentHashMap<>();
    private final Timer latency;
    private final AtomicLong queueDepth = new AtomicLong();
    private final AtomicLong running = new AtomicLong();
    private final AtomicLong agents = new AtomicLong();
    private final AtomicLong slots = new AtomicLong();
    private final AtomicLong busySlots = new AtomicLong();

    /** A registry with the node's meters. */
    public NodeMetrics() {
        latency = Timer.builder("mycelium.task.latency")
                .description("from a task's submission to its completion")
                .publishPercentiles(0.5, 0.95, 0.99)
                .publishPercentileHistogram()
                .register(registry);
        Gauge.builder("mycelium.task.queue.depth", queueDepth, AtomicLong::get)
                .description("tasks submitted or scheduled, waiting for an attempt")
                .register(registry);
        Gauge.builder("mycelium.task.running", running, AtomicLong::get)
                .description("tasks assigned or accepted")
                .register(registry);
        Gauge.builder("mycelium.agents.connected", agents, AtomicLong::get).register(registry);
        Gauge.builder("mycelium.agents.slots", slots, AtomicLong::get).register(registry);
        Gauge.builder("mycelium.agents.slots.busy", busySlots, AtomicLong::get).register(registry);
    }

    /** Counts a task fact ({@code submitted}, {@code completed}, {@code failed}, ...). */
    @Override
    public void taskFact(String fact) {
        facts.computeIfAbsent(
                        fact,
                        f -> Counter.builder("mycelium.task.facts")
                                .tag("fact", f)
                                .register(registry))
                .increment();
    }

    /** Records a task's time from submission to completion. */
    @Override
    public void taskCompleted(Duration latency) {
        this.latency.record(latency);
    }

    /** Sets the queue depth and the running tasks. */
    @Override
    public void taskCounts(long waiting, long runningNow) {
        queueDepth.set(waiting);
        running.set(runningNow);
    }

    /** A worker agent connected with {@code n} slots (or left, with {@code -n} and {@code -1}). */
    @Override
    public void agents(int connected, int slotsDelta) {
        agents.addAndGet(connected);
        slots.addAndGet(slotsDelta);
    }

    /** A worker agent's slot was taken ({@code +1}) or freed ({@code -1}). */
    @Override
    public void busySlots(int delta) {
        busySlots.addAndGet(delta);
    }

    /** Counts an API response by status class ({@code 2xx}, {@code 4xx}, ...). */
    public void response(int status) {
        String klass = (status / 100) + "xx";
        responses
                .computeIfAbsent(
                        klass,
                        k -> Counter.builder("mycelium.http.responses")
                                .tag("status", k)
                                .register(registry))
                .increment();
    }

    /** How many task facts of a kind were counted. */
    @Override
    public long taskFacts(String fact) {
        Counter c = facts.get(fact);
        return c == null ? 0 : (long) c.count();
    }

    /** The queue depth. */
    @Override
    public long queueDepth() {
        return queueDepth.get();
    }

    /** The Prometheus text exposition. */
    public String prometheus() {
        return registry.scrape();
    }

    /** The summary of {@code /api/metrics}. */
    public Map<String, Object> summary() {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> tasks = new LinkedHashMap<>();
        tasks.put("queueDepth", queueDepth.get());
        tasks.put("running", running.get());
        Map<String, Long> counts = new LinkedHashMap<>();
        facts.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> counts.put(e.getKey(), (long) e.getValue().count()));
        tasks.put("facts", counts);
        HistogramSnapshot snapshot = latency.takeSnapshot();
        Map<String, Object> latencyMs = new LinkedHashMap<>();
        latencyMs.put("count", snapshot.count());
        for (ValueAtPercentile p : snapshot.percentileValues()) {
            latencyMs.put("p" + Math.round(p.percentile() * 100), p.value(TimeUnit.MILLISECONDS));
        }
        latencyMs.put("max", snapshot.max(TimeUnit.MILLISECONDS));
        tasks.put("latencyMs", latencyMs);
        long failed = counts.getOrDefault("failed", 0L);
        long ended = counts.getOrDefault("completed", 0L) + failed;
        tasks.put("attemptFailureRate", ended == 0 ? 0.0 : (double) failed / ended);
        out.put("tasks", tasks);
        Map<String, Object> agentsOut = new LinkedHashMap<>();
        agentsOut.put("connected", agents.get());
        agentsOut.put("slots", slots.get());
        agentsOut.put("busySlots", busySlots.get());
        agentsOut.put("utilization", slots.get() == 0 ? 0.0 : (double) busySlots.get() / slots.get());
        out.put("agents", agentsOut);
        Map<String, Long> http = new LinkedHashMap<>();
        responses.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> http.put(e.getKey(), (long) e.getValue().count()));
        long all = http.values().stream().mapToLong(Long::longValue).sum();
        long errors = http.entrySet().stream()
                .filter(e -> !e.getKey().startsWith("2") && !e.getKey().startsWith("1"))
                .mapToLong(Map.Entry::getValue)
                .sum();
        out.put("http", Map.of("responses", http, "errorRate", all == 0 ? 0.0 : (double) errors / all));
        return out;
    }
}

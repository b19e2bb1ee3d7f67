package io.mycelium.mesh.edge;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Per-app counters of the edge: requests, 5xx answers, and a latency histogram. Thread-safe, lock-free. */
public final class EdgeMetrics {
    /** Upper bounds of the latency buckets, in milliseconds; the last bucket is everything above. */
    static final long[] BOUNDS_MS = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000};

    private final Map<String, AppCounters> apps = new ConcurrentHashMap<>();

    private static final class AppCounters {
        final LongAdder requests = new LongAdder();
        final LongAdder errors = new LongAdder();
        final LongAdder totalMicros = new LongAdder();
        final LongAdder[] buckets = new LongAdder[BOUNDS_MS.length + 1];

        AppCounters() {
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = new LongAdder();
            }
        }
    }

    /** Counts one answered request of {@code app}. */
    void record(String app, int status, long nanos) {
        AppCounters c = apps.computeIfAbsent(app, a -> new AppCounters());
        c.requests.increment();
        if (status >= 500) {
            c.errors.increment();
        }
        c.totalMicros.add(nanos / 1000);
        long ms = nanos / 1_000_000;
        int bucket = 0;
        while (bucket < BOUNDS_MS.length && ms >= BOUNDS_MS[bucket]) {
            bucket++;
        }
        c.buckets[bucket].increment();
    }

    /** {@code app -> {requests, errors5xx, meanMs, buckets {"<=1ms": n, ...}}}, for /api/metrics and the log. */
    public Map<String, Object> snapshot() {
        Map<String, Object> all = new TreeMap<>();
        apps.forEach((app, c) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            long requests = c.requests.sum();
            m.put("requests", requests);
            m.put("errors5xx", c.errors.sum());
            m.put("meanMs", requests == 0 ? 0 : c.totalMicros.sum() / 1000.0 / requests);
            Map<String, Long> buckets = new LinkedHashMap<>();
            for (int i = 0; i < c.buckets.length; i++) {
                buckets.put(
                        i < BOUNDS_MS.length
                                ? "<=" + BOUNDS_MS[i] + "ms"
                                : ">" + BOUNDS_MS[BOUNDS_MS.length - 1] + "ms",
                        c.buckets[i].sum());
            }
            m.put("latency", buckets);
            all.put(app, m);
        });
        return all;
    }

    /** The counters in Prometheus' text format. */
    public String prometheus() {
        StringBuilder out = new StringBuilder();
        out.append("# TYPE mycelium_edge_requests_total counter\n");
        apps.forEach((app, c) -> line(out, "mycelium_edge_requests_total", app, null, c.requests.sum()));
        out.append("# TYPE mycelium_edge_errors_5xx_total counter\n");
        apps.forEach((app, c) -> line(out, "mycelium_edge_errors_5xx_total", app, null, c.errors.sum()));
        out.append("# TYPE mycelium_edge_latency_seconds histogram\n");
        apps.forEach((app, c) -> {
            long cumulative = 0;
            for (int i = 0; i < c.buckets.length; i++) {
                cumulative += c.buckets[i].sum();
                String le = i < BOUNDS_MS.length ? Double.toString(BOUNDS_MS[i] / 1000.0) : "+Inf";
                line(out, "mycelium_edge_latency_seconds_bucket", app, le, cumulative);
            }
            out.append("mycelium_edge_latency_seconds_sum{app=\"")
                    .append(app)
                    .append("\"} ")
                    .append(c.totalMicros.sum() / 1_000_000.0)
                    .append('\n');
            line(out, "mycelium_edge_latency_seconds_count", app, null, c.requests.sum());
        });
        return out.toString();
    }

    private static void line(StringBuilder out, String name, String app, String le, long value) {
        out.append(name).append("{app=\"").append(app).append('"');
        if (le != null) {
            out.append(",le=\"").append(le).append('"');
        }
        out.append("} ").append(value).append('\n');
    }
}

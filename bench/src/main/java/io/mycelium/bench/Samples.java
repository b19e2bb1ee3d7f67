package io.mycelium.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A growable array of nanosecond timings with the statistics bench/ssh-run.sh reports. */
final class Samples {
    private long[] values = new long[4096];
    private int size;

    /** Adds one timing. */
    void add(long nanos) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = nanos;
    }

    /** How many timings there are. */
    int size() {
        return size;
    }

    /**
     * {@code n}, {@code p50_us} ... {@code p999_us} (nearest rank, the same rule as mitogen_bench.py), {@code mean_us},
     * {@code min_us}, {@code max_us}.
     */
    Map<String, Object> percentiles() {
        if (size == 0) {
            throw new IllegalStateException("no samples");
        }
        long[] sorted = Arrays.copyOf(values, size);
        Arrays.sort(sorted);
        double sum = 0;
        for (long v : sorted) {
            sum += v;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("n", size);
        out.put("p50_us", rank(sorted, 0.50) / 1000.0);
        out.put("p95_us", rank(sorted, 0.95) / 1000.0);
        out.put("p99_us", rank(sorted, 0.99) / 1000.0);
        out.put("p999_us", rank(sorted, 0.999) / 1000.0);
        out.put("mean_us", sum / size / 1000.0);
        out.put("min_us", sorted[0] / 1000.0);
        out.put("max_us", sorted[size - 1] / 1000.0);
        return out;
    }

    private static long rank(long[] sorted, double q) {
        int k = (int) Math.ceil(q * sorted.length - 1e-9);
        return sorted[Math.min(sorted.length, Math.max(1, k)) - 1];
    }

    /**
     * {@code runs_ms}, {@code median_ms}, {@code min_ms} of a few single-shot times in milliseconds, and {@code
     * median_mib_s} when {@code bytes} is positive.
     */
    static Map<String, Object> series(List<Double> runsMs, long bytes) {
        double[] sorted =
                runsMs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put(
                "runs_ms",
                runsMs.stream().map(x -> Math.round(x * 1000) / 1000.0).toList());
        out.put("median_ms", median);
        out.put("min_ms", sorted[0]);
        if (bytes > 0) {
            out.put("median_mib_s", bytes / 1048576.0 / (median / 1000.0));
        }
        return out;
    }
}

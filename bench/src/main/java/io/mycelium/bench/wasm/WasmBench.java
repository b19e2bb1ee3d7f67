package io.mycelium.bench.wasm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mycelium.wasm.CallOptions;
import io.mycelium.wasm.WasmInstance;
import io.mycelium.wasm.WasmLimits;
import io.mycelium.wasm.WasmModule;
import io.mycelium.wasm.WasmResult;
import io.mycelium.wasm.WasmRuntime;
import io.mycelium.wasm.capability.Grants;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Mycelium's Wasm runtime (GraalWasm with the optimizing compiler) against Node.js ({@code node:wasi}, V8) running the
 * same module, bench/wasm/bench.wasm, in the same run: bench/wasm-run.sh builds the module and runs this main class,
 * which measures the JVM side, then runs bench/wasm/node_bench.mjs with the same settings and prints both side by
 * side with ratios (Mycelium / Node: below 1 is faster). Not JMH: the Node side must run the same loops.
 *
 * <ol>
 *   <li>cold: compile + instantiate + first call of {@code handle}, on bytes made new each time (a custom section with
 *       a nonce) so that no cache answers: a new engine per module here, a new {@code WebAssembly.Module} there;
 *   <li>instance: a stateless call on a compiled module, a fresh instance each time ({@link WasmModule#call}; Node: a
 *       new {@code WebAssembly.Instance});
 *   <li>warm: {@code handle} on one kept instance, a small JSON request in and a small JSON answer out, after
 *       {@code warmupSeconds} of the same calls;
 *   <li>compute: {@code compute} on a kept instance, a sieve and a Mandelbrot set, after {@code computeWarmupSeconds}.
 * </ol>
 *
 * <p>System properties ({@code -Dbench.wasm.NAME=...}): {@code module} (bench/target/wasm/bench.wasm), {@code out}
 * (bench/target/wasm), {@code node} (node), {@code script} (bench/wasm/node_bench.mjs), {@code coldRuns} (10),
 * {@code instanceRuns} (200), {@code warmupSeconds} (5), {@code warmCalls} (5000), {@code computeWarmupSeconds}
 * (15), {@code computeRuns} (10), {@code computeN} (2000000), {@code computeSize} (200). GraalWasm compiles a function
 * after it has run a while, so the warm-ups are in seconds, the same on both sides; a compute call lasting about 10 ms
 * gets called often enough in them to be compiled whole, not only its loops (on-stack replacement).
 */
public final class WasmBench {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path module = Path.of(System.getProperty("bench.wasm.module", "bench/target/wasm/bench.wasm"));
    private final Path out = Path.of(System.getProperty("bench.wasm.out", "bench/target/wasm"));
    private final String node = System.getProperty("bench.wasm.node", "node");
    private final String script = System.getProperty("bench.wasm.script", "bench/wasm/node_bench.mjs");
    private final int coldRuns = Integer.getInteger("bench.wasm.coldRuns", 10);
    private final int instanceRuns = Integer.getInteger("bench.wasm.instanceRuns", 200);
    private final double warmupSeconds = Double.parseDouble(System.getProperty("bench.wasm.warmupSeconds", "5"));
    private final int warmCalls = Integer.getInteger("bench.wasm.warmCalls", 5000);
    private final double computeWarmupSeconds =
            Double.parseDouble(System.getProperty("bench.wasm.computeWarmupSeconds", "15"));
    private final int computeRuns = Integer.getInteger("bench.wasm.computeRuns", 10);
    private final int computeN = Integer.getInteger("bench.wasm.computeN", 2_000_000);
    private final int computeSize = Integer.getInteger("bench.wasm.computeSize", 200);

    private WasmBench() {}

    public static void main(String[] args) throws Exception {
        new WasmBench().run();
    }

    private void run() throws Exception {
        Files.createDirectories(out);
        byte[] bytes = Files.readAllBytes(module);
        ObjectNode config = JSON.createObjectNode()
                .put("coldRuns", coldRuns)
                .put("instanceRuns", instanceRuns)
                .put("warmupSeconds", warmupSeconds)
                .put("warmCalls", warmCalls)
                .put("computeWarmupSeconds", computeWarmupSeconds)
                .put("computeRuns", computeRuns);
        config.putObject("compute").put("n", computeN).put("size", computeSize);

        ObjectNode mycelium = measureMycelium(bytes);
        log("Node.js: " + node + " " + script);
        ObjectNode nodeResults = measureNode(config);

        ObjectNode all = JSON.createObjectNode();
        all.set("config", config);
        all.set("mycelium", mycelium);
        all.set("node", nodeResults);
        if (!mycelium.get("computeAnswer").equals(nodeResults.get("computeAnswer"))) {
            throw new IllegalStateException("the two runtimes disagree on compute: " + mycelium.get("computeAnswer")
                    + " vs " + nodeResults.get("computeAnswer"));
        }
        String table = table(mycelium, nodeResults);
        Files.writeString(out.resolve("results.json"), JSON.writeValueAsString(all));
        Files.writeString(out.resolve("summary.md"), table);
        System.out.println();
        System.out.print(table);
    }

    private ObjectNode measureMycelium(byte[] bytes) {
        ObjectNode r = JSON.createObjectNode();
        ObjectNode request = JSON.createObjectNode().put("id", 42).put("user", "mycelium");
        request.putArray("tags").add("a").add("b").add("c");
        WasmLimits limits = WasmLimits.defaults().withMaxMemoryBytes(256L << 20);
        try (WasmRuntime runtime = WasmRuntime.builder()
                .requireOptimizingCompiler()
                .defaultLimits(limits)
                .build()) {
            r.put("compiler", runtime.compiler().describe());
            r.put("java", Runtime.version().toString());

            log("cold: " + coldRuns + " x (load new bytes + instantiate + first call)");
            double[] cold = new double[coldRuns];
            for (int i = 0; i < coldRuns; i++) {
                byte[] fresh = withNonce(bytes, "jvm-" + i);
                long start = System.nanoTime();
                WasmModule m = runtime.load(fresh, "bench-" + i);
                try (WasmInstance instance = m.instantiate(Grants.none(), limits)) {
                    check(instance.call("handle", request), 42);
                }
                cold[i] = ms(start);
            }
            r.set("coldMs", array(cold));

            WasmModule m = runtime.load(bytes, "bench");
            CallOptions handle = CallOptions.defaults().withExport("handle").withLimits(limits);
            log("instance: " + instanceRuns + " x (fresh instance + call) on a loaded module");
            double[] fresh = new double[instanceRuns];
            for (int i = 0; i < instanceRuns; i++) {
                long start = System.nanoTime();
                WasmResult result = m.call(request.deepCopy().put("id", i), handle);
                fresh[i] = ms(start);
                check(result, i);
            }
            r.set("instanceMs", array(fresh));

            log("warm: " + warmupSeconds + " s of calls on a kept instance, then " + warmCalls + " timed");
            try (WasmInstance kept = m.instantiate(Grants.none(), limits)) {
                long until = System.nanoTime() + (long) (warmupSeconds * 1e9);
                int warmup = 0;
                while (System.nanoTime() < until) {
                    check(kept.call("handle", request.deepCopy().put("id", warmup)), warmup);
                    warmup++;
                }
                r.put("warmupCalls", warmup);
                double[] warm = new double[warmCalls];
                for (int i = 0; i < warmCalls; i++) {
                    ObjectNode in = request.deepCopy().put("id", i);
                    long start = System.nanoTime();
                    WasmResult result = kept.call("handle", in);
                    warm[i] = ms(start);
                    check(result, i);
                }
                r.set("warmMs", array(warm));
            }

            log("compute: " + computeWarmupSeconds + " s of warm-up, then " + computeRuns + " timed");
            ObjectNode computeInput = JSON.createObjectNode().put("n", computeN).put("size", computeSize);
            try (WasmInstance worker =
                    m.instantiate(Grants.none(), limits.withTimeout(java.time.Duration.ofMinutes(2)))) {
                long until = System.nanoTime() + (long) (computeWarmupSeconds * 1e9);
                int warmup = 0;
                JsonNode answer = null;
                do {
                    answer = worker.call("compute", computeInput).output();
                    warmup++;
                } while (System.nanoTime() < until);
                r.put("computeWarmupRuns", warmup);
                double[] compute = new double[computeRuns];
                for (int i = 0; i < computeRuns; i++) {
                    long start = System.nanoTime();
                    answer = worker.call("compute", computeInput).output();
                    compute[i] = ms(start);
                }
                r.set("computeMs", array(compute));
                r.set("computeAnswer", answer);
            }
        }
        return r;
    }

    private ObjectNode measureNode(ObjectNode config) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(node, "--no-warnings", script, module.toString(), config.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        byte[] stdout = p.getInputStream().readAllBytes();
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("node_bench.mjs failed: " + new String(stdout, StandardCharsets.UTF_8));
        }
        return (ObjectNode) JSON.readTree(stdout);
    }

    /** The Markdown table: p50 (and mean) of each measurement, side by side, with the ratio of the p50s. */
    private static String table(ObjectNode m, ObjectNode n) {
        StringBuilder b = new StringBuilder();
        b.append("Mycelium: ")
                .append(m.get("compiler").asText())
                .append(", Java ")
                .append(m.get("java").asText());
        b.append("; Node ")
                .append(n.get("node").asText())
                .append(" (V8 ")
                .append(n.get("v8").asText())
                .append(")\n\n");
        b.append("| measurement | Mycelium p50 (mean) | Node p50 (mean) | ratio p50 |\n");
        b.append("|---|---|---|---|\n");
        row(b, "cold: compile + instantiate + first call", m, n, "coldMs");
        row(b, "stateless call: fresh instance on a compiled module", m, n, "instanceMs");
        row(b, "warm call on a kept instance (small JSON in/out)", m, n, "warmMs");
        row(b, "compute-heavy call (sieve + Mandelbrot)", m, n, "computeMs");
        b.append("\nwarm-up calls (same seconds on both sides): Mycelium ")
                .append(m.get("warmupCalls").asInt())
                .append(" handle + ")
                .append(m.get("computeWarmupRuns").asInt())
                .append(" compute, Node ")
                .append(n.get("warmupCalls").asInt())
                .append(" handle + ")
                .append(n.get("computeWarmupRuns").asInt())
                .append(" compute; compute answer ")
                .append(m.get("computeAnswer"))
                .append('\n');
        return b.toString();
    }

    private static void row(StringBuilder b, String label, ObjectNode m, ObjectNode n, String key) {
        double[] mine = values(m.get(key));
        double[] theirs = values(n.get(key));
        double p50Mine = median(mine);
        double p50Theirs = median(theirs);
        b.append(String.format(
                Locale.ROOT,
                "| %s | %s (%s) | %s (%s) | %.2f |%n",
                label,
                time(p50Mine),
                time(mean(mine)),
                time(p50Theirs),
                time(mean(theirs)),
                p50Mine / p50Theirs));
    }

    private static String time(double ms) {
        if (ms < 0.1) {
            return String.format(Locale.ROOT, "%.1f µs", ms * 1000);
        }
        return String.format(Locale.ROOT, ms < 10 ? "%.2f ms" : "%.1f ms", ms);
    }

    private static double[] values(JsonNode array) {
        double[] v = new double[array.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = array.get(i).asDouble();
        }
        return v;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double mean(double[] v) {
        return Arrays.stream(v).average().orElse(Double.NaN);
    }

    private static ArrayNode array(double[] values) {
        ArrayNode a = JSON.createArrayNode();
        for (double v : values) {
            a.add(Math.round(v * 1000) / 1000.0);
        }
        return a;
    }

    private static void check(WasmResult result, int id) {
        if (result.output().path("id").asInt(-1) != id
                || !result.output().path("ok").asBoolean()) {
            throw new IllegalStateException("wrong answer: " + result.output());
        }
    }

    /** {@code wasm} plus a custom section named bench-nonce holding {@code nonce}: new bytes, same module. */
    static byte[] withNonce(byte[] wasm, String nonce) {
        byte[] name = "bench-nonce".getBytes(StandardCharsets.US_ASCII);
        byte[] value = nonce.getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream b = new ByteArrayOutputStream(wasm.length + 64);
        b.writeBytes(wasm);
        b.write(0);
        b.write(1 + name.length + value.length); // under 128: one LEB128 byte
        b.write(name.length);
        b.writeBytes(name);
        b.writeBytes(value);
        return b.toByteArray();
    }

    private static double ms(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e6;
    }

    private static void log(String line) {
        System.out.println("==> " + line);
    }
}

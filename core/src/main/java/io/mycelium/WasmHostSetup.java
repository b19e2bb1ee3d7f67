package io.mycelium;

import io.mycelium.transport.JavaRuntime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Gets a host ready to run the Wasm worker and says how to start it, with the context's own operations: a probe (the
 * agent's Java, a directory, which parts are there), {@link Context#put} of the missing parts (the {@link WasmBundle}'s
 * jars; the shipped Java runtime when the agent's Java cannot run GraalWasm with its compiler), each moved into a
 * hash-addressed folder and checked by its tree digest. The first call on a host pays for the transfer; later
 * connections find the parts in {@code ~/.cache/mycelium}, or, on a host with no writable home, in a directory of the
 * agent's own that is removed when the agent is gone.
 */
final class WasmHostSetup {
    /** GraalWasm 25 and its compiler need the JVMCI of Java 25. */
    static final int WORKER_JAVA = 25;

    private static final String PROBE = HostParts.script("/io/mycelium/wasm/probe.sh");

    private final Context context;
    private final WasmBundle bundle;
    private final JavaRuntime runtime;

    WasmHostSetup(Context context, WasmBundle bundle, JavaRuntime runtime) {
        this.context = context;
        this.bundle = bundle;
        this.runtime = runtime;
    }

    /** Prepares the host; completes with the worker's command line. */
    CompletionStage<List<String>> prepare(int threads) {
        return context.ensureAgent().thenCompose(agent -> probe(agent).thenCompose(probe -> install(probe, threads)));
    }

    private CompletionStage<Map<String, String>> probe(AgentInfo agent) {
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", PROBE, "mycelium-wasm-probe"));
        argv.add(Long.toString(agent.pid()));
        argv.add(bundle.libTree());
        argv.add(bundle.compilerTree());
        argv.add(runtime == null ? "-" : runtime.descriptor().sha256());
        argv.add(runtime == null ? "-" : runtime.descriptor().treeSha256());
        return context.procExec(argv, ExecOptions.defaults()).thenApply(result -> {
            Map<String, String> values = new HashMap<>();
            for (String line : result.stdoutText().split("\n")) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    values.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
            if (result.exitCode() != 0 || !values.containsKey("persistent")) {
                throw unavailable("the probe for the Wasm runtime failed (exit " + result.exitCode() + "): "
                        + result.stderrText().strip());
            }
            if (values.containsKey("error")) {
                throw unavailable(values.get("error"));
            }
            return values;
        });
    }

    private CompletionStage<List<String>> install(Map<String, String> probe, int threads) {
        String dir = probe.get("dir");
        boolean persistent = probe.get("persistent").equals("yes");
        boolean agentJava = Integer.parseInt(probe.getOrDefault("feature", "0")) >= WORKER_JAVA
                && probe.get("jvmci").equals("yes");
        String java;
        CompletionStage<Void> steps = CompletableFuture.completedFuture(null);
        if (agentJava) {
            java = probe.get("java");
        } else {
            if (runtime == null || !probe.containsKey("runtime")) {
                throw unavailable("the agent's Java (" + probe.get("java") + ", feature " + probe.get("feature")
                        + ") cannot run GraalWasm, which needs Java " + WORKER_JAVA + " with JVMCI, and this"
                        + " controller has no Java runtime to ship");
            }
            String name = "runtime-" + runtime.descriptor().sha256();
            java = dir + "/" + name + "/bin/java";
            if (probe.get("runtime").equals("absent")) {
                steps = steps.thenCompose(v -> {
                    try {
                        return send(
                                WasmBundle.runtimeArchive(runtime),
                                "tgz",
                                dir,
                                name,
                                runtime.descriptor().treeSha256());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
        }
        String lib = "wasm-lib-" + bundle.libTree();
        if (probe.get("lib").equals("absent")) {
            steps = steps.thenCompose(v -> send(bundle.lib(), "dir", dir, lib, bundle.libTree()));
        }
        // The 24 MB compiler pays off only where it stays: in a persistent cache. Elsewhere the worker says it
        // interprets, in its ready frame, and the caller logs that.
        String compiler = "graal-compiler-" + bundle.compilerTree();
        boolean optimize = persistent;
        if (optimize && probe.get("compiler").equals("absent")) {
            steps = steps.thenCompose(v -> send(bundle.compiler(), "dir", dir, compiler, bundle.compilerTree()));
        }
        return steps.thenApply(v -> {
            List<String> argv = new ArrayList<>(List.of(
                    java,
                    "-XX:+UseSerialGC",
                    "-Xss2m",
                    "-Xmx192m",
                    "-Xshare:auto",
                    "--enable-native-access=ALL-UNNAMED",
                    "--sun-misc-unsafe-memory-access=allow"));
            if (optimize) {
                argv.addAll(List.of(
                        "-XX:+UnlockExperimentalVMOptions",
                        "-XX:+EnableJVMCI",
                        "--upgrade-module-path=" + dir + "/" + compiler));
            }
            argv.addAll(List.of(
                    "-cp",
                    dir + "/" + lib + "/*",
                    "io.mycelium.wasm.worker.WasmWorker",
                    "--threads",
                    Integer.toString(threads)));
            return argv;
        });
    }

    /** Puts {@code local} next to its final place, then moves (or unpacks) it there and checks its digest. */
    private CompletionStage<Void> send(Path local, String kind, String dir, String name, String tree) {
        return HostParts.send(context, local, kind, dir, name, tree, this::unavailable);
    }

    private WasmCallException unavailable(String message) {
        return new WasmCallException(
                WasmCallException.Failure.RUNTIME_UNAVAILABLE, context.name(), message, "", List.of());
    }
}

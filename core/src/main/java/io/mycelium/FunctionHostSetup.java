package io.mycelium;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Gets a host ready to run the function worker, the way {@link WasmHostSetup} does for the Wasm runtime: a probe (the
 * agent's Java, a directory, whether the registry's jars are there), then, only when they are not, {@link
 * HostParts#send} of the {@link FunctionBundle} into a folder named by its tree digest. The first call on a host pays
 * for the transfer; later workers and connections find the jars in {@code ~/.cache/mycelium}, or, on a host with no
 * writable home, in a directory of the agent's own that goes with the agent. The worker runs on the agent's Java.
 */
final class FunctionHostSetup {
    private static final String PROBE = HostParts.script("/io/mycelium/function/probe.sh");

    private final Context context;

    FunctionHostSetup(Context context) {
        this.context = context;
    }

    /** Prepares the host for {@code bundle}; completes with the worker's command line. */
    CompletionStage<List<String>> prepare(FunctionBundle bundle, int threads) {
        return context.ensureAgent()
                .thenCompose(agent -> context.procExec(
                        List.of(
                                "/bin/sh",
                                "-c",
                                PROBE,
                                "mycelium-function-probe",
                                Long.toString(agent.pid()),
                                bundle.tree()),
                        ExecOptions.defaults()))
                .thenCompose(result -> {
                    Map<String, String> probe = new HashMap<>();
                    for (String line : result.stdoutText().split("\n")) {
                        int eq = line.indexOf('=');
                        if (eq > 0) {
                            probe.put(line.substring(0, eq), line.substring(eq + 1));
                        }
                    }
                    if (probe.containsKey("error")) {
                        throw unavailable(probe.get("error"));
                    }
                    if (result.exitCode() != 0 || !probe.containsKey("bundle")) {
                        throw unavailable("the probe for the function worker failed (exit " + result.exitCode() + "): "
                                + result.stderrText().strip());
                    }
                    String dir = probe.get("dir");
                    String name = "fn-" + bundle.tree();
                    CompletionStage<Void> sent = probe.get("bundle").equals("present")
                            ? CompletableFuture.completedFuture(null)
                            : HostParts.send(context, bundle.dir(), "dir", dir, name, bundle.tree(), this::unavailable);
                    return sent.thenApply(v -> command(probe.get("java"), dir + "/" + name, bundle, threads));
                });
    }

    private static List<String> command(String java, String jars, FunctionBundle bundle, int threads) {
        List<String> argv = new ArrayList<>(List.of(
                java,
                "-XX:+UseSerialGC",
                "-Xmx256m",
                "-Xshare:auto",
                "-cp",
                jars + "/*",
                "io.mycelium.function.worker.FunctionWorker",
                "--threads",
                Integer.toString(threads)));
        bundle.classes().forEach((name, type) -> argv.add(name + "=" + type));
        return argv;
    }

    private FunctionCallException unavailable(String message) {
        return new FunctionCallException(FunctionCallException.Failure.RUNTIME_UNAVAILABLE, context.name(), message);
    }
}

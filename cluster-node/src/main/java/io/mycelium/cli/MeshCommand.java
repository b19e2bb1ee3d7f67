package io.mycelium.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mycelium.mesh.demo.DemoSpore;
import io.mycelium.mesh.fabric.Plan;
import io.mycelium.mesh.spore.Spore;
import io.mycelium.node.Node;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mycelium mesh run}: the whole mesh in one process, the single-machine mode. */
@Command(
        name = "mesh",
        description = "The containerless mesh: spores run as processes behind the edge.",
        mixinStandardHelpOptions = true,
        subcommands = {MeshCommand.Run.class, MeshCommand.Demo.class})
final class MeshCommand {

    @Command(
            name = "demo",
            description = {
                "Write the demo app `billing` for a walk-through of your own: DIR/billing (a tiny HTTP server on $PORT",
                "run by the JDK the node agent names) and DIR/manifest-v1.json, manifest-v2.json to pack it with."
            },
            mixinStandardHelpOptions = true)
    static final class Demo implements Callable<Integer> {
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where to write the files.")
        Path out;

        @Override
        public Integer call() throws Exception {
            Files.createDirectories(out);
            DemoSpore.writeBinary(out.resolve("billing"));
            DemoSpore.writeManifest(out.resolve("manifest-v1.json"), "v1", true);
            DemoSpore.writeManifest(out.resolve("manifest-v2.json"), "v2", true);
            System.out.println(out.resolve("billing"));
            return 0;
        }
    }

    @Command(
            name = "run",
            description = {
                "Run the edge, the control fabric and N node agents in one process on this machine, admin API on",
                "127.0.0.1:8558, edge on 127.0.0.1:8080. With --demo: pack and publish the sample app `billing`, so",
                "that `curl 127.0.0.1:8080/billing/hello` answers. Stop with Ctrl-C: every process it ran stops."
            },
            mixinStandardHelpOptions = true)
    static final class Run implements Callable<Integer> {
        @Option(names = "--agents", paramLabel = "N", description = "Node agents; default ${DEFAULT-VALUE}.")
        int agents = 3;

        @Option(
                names = "--warmup",
                paramLabel = "DURATION",
                description = "How long a replaced instance keeps running after its successor took over; default"
                        + " ${DEFAULT-VALUE}.")
        String warmup = "2s";

        @Option(names = "--data-dir", paramLabel = "DIR", description = "Journal, repo and runs; default ./data.")
        Path dataDir = Path.of("data");

        @Option(names = "--edge-port", paramLabel = "PORT", description = "The edge's port; default ${DEFAULT-VALUE}.")
        int edgePort = 8080;

        @Option(
                names = "--api-port",
                paramLabel = "PORT",
                description = "The admin API's port; default ${DEFAULT-VALUE}.")
        int apiPort = 8558;

        @Option(names = "--demo", description = "Pack and publish the sample app `billing`.")
        boolean demo;

        @Override
        public Integer call() throws Exception {
            Files.createDirectories(dataDir);
            Map<String, Object> overlay = new LinkedHashMap<>();
            overlay.put("mycelium.data-dir", dataDir.toAbsolutePath().toString());
            overlay.put("mycelium.node.http.port", apiPort);
            overlay.put("mycelium.mesh.agent.count", agents);
            overlay.put("mycelium.mesh.agent.warmup", Durations.parse(warmup).toMillis() + "ms");
            overlay.put("mycelium.mesh.edge.enabled", true);
            overlay.put("mycelium.mesh.edge.port", edgePort);
            Config config = ConfigFactory.systemProperties()
                    .withFallback(ConfigFactory.parseMap(overlay))
                    .withFallback(ConfigFactory.load())
                    .resolve();
            Node node = Node.start(config);
            String api = "http://" + node.httpAddress().getHostString() + ":"
                    + node.httpAddress().getPort();
            Optional<?> edge = node.mesh().edge().toCompletableFuture().get(30, TimeUnit.SECONDS);
            String edgeUrl = node.mesh().edgeBinding().toCompletableFuture().isDone()
                    ? "http://127.0.0.1:"
                            + node.mesh()
                                    .edgeBinding()
                                    .toCompletableFuture()
                                    .get()
                                    .localAddress()
                                    .getPort()
                    : "(none: see the log)";
            System.err.println("mycelium: mesh up with " + agents + " agent(s): edge "
                    + (edge.isPresent() ? edgeUrl : "off") + ", admin API " + api + " (stop with Ctrl-C)");
            if (demo) {
                Spore spore = DemoSpore.pack(dataDir.resolve("demo"), "v1", true);
                node.mesh().repo().put(DemoSpore.file(dataDir.resolve("demo"), "v1"));
                node.mesh()
                        .fabric()
                        .publish(new Plan("billing", spore.digest(), 1, 1, 0), "mesh-run-demo")
                        .toCompletableFuture()
                        .get(30, TimeUnit.SECONDS);
                awaitEndpoints(node, agents, Duration.ofSeconds(30));
                System.err.println("mycelium: demo app billing " + spore.digest() + " published; try: curl " + edgeUrl
                        + "/billing/hello");
            }
            node.system().getWhenTerminated().toCompletableFuture().join();
            return 0;
        }

        private static void awaitEndpoints(Node node, int count, Duration timeout) throws Exception {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                if (node.mesh()
                                .fabric()
                                .endpoints("billing")
                                .toCompletableFuture()
                                .get()
                                .size()
                        >= count) {
                    return;
                }
                Thread.sleep(100);
            }
            System.err.println("mycelium: the demo app is not up on every agent yet (see GET /api/v1/instances/facts)");
        }
    }
}

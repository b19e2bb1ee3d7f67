package io.mycelium.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.mycelium.node.Node;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.pekko.actor.CoordinatedShutdown;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mycelium node}: runs a cluster node until it is stopped (SIGTERM or Ctrl-C: a coordinated shutdown). */
@Command(
        name = "node",
        description = {
            "Run a Mycelium cluster node: the governed exec API on its admin port, sharded host contexts, and",
            "execution facts in the journal. With no --config: a single node with the embedded H2 journal under",
            "the data dir, admin API on 127.0.0.1:8558, and a host named `local` (this machine)."
        },
        mixinStandardHelpOptions = true)
final class NodeCommand implements Callable<Integer> {

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "HOCON configuration layered over the defaults (see conf/ for a 3-node cluster on"
                    + " PostgreSQL).")
    Path config;

    @Option(
            names = "--data-dir",
            paramLabel = "DIR",
            description = "Where the node keeps its files (the H2 journal); default ./data, or the config's"
                    + " mycelium.data-dir.")
    Path dataDir;

    @Override
    public Integer call() throws Exception {
        Config overlay = ConfigFactory.empty();
        if (config != null) {
            if (!Files.isReadable(config)) {
                System.err.println("mycelium: cannot read the config file " + config);
                return 2;
            }
            overlay = ConfigFactory.parseFile(config.toFile());
        }
        if (dataDir != null) {
            Files.createDirectories(dataDir);
            overlay = overlay.withValue(
                    "mycelium.data-dir",
                    ConfigValueFactory.fromAnyRef(dataDir.toAbsolutePath().toString()));
        }
        Config resolved = ConfigFactory.systemProperties()
                .withFallback(overlay)
                .withFallback(ConfigFactory.defaultApplication())
                .withFallback(ConfigFactory.defaultReference())
                .resolve();
        Node node;
        try {
            node = Node.start(resolved);
        } catch (Exception e) {
            System.err.println("mycelium: " + e.getMessage());
            return 1;
        }
        System.err.println("mycelium: node up, admin API on http://"
                + node.httpAddress().getHostString() + ":" + node.httpAddress().getPort() + " (stop with Ctrl-C)");
        node.system().getWhenTerminated().toCompletableFuture().join();
        // A stop that nobody asked for (downed by the split-brain resolver, or the join failed) exits 1, so that a
        // supervisor that restarts failed services brings the node back.
        CoordinatedShutdown.Reason reason =
                CoordinatedShutdown.get(node.system()).getShutdownReason().orElse(CoordinatedShutdown.unknownReason());
        if (reason == CoordinatedShutdown.jvmExitReason()
                || reason == CoordinatedShutdown.actorSystemTerminateReason()
                || reason == CoordinatedShutdown.clusterLeavingReason()) {
            return 0;
        }
        System.err.println("mycelium: the node stopped: " + reason);
        return 1;
    }
}

package io.mycelium.examples;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mycelium.ExecResult;
import io.mycelium.Mycelium;
import io.mycelium.ProcessHost;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * An application that joins a running Mycelium cluster and runs a command on one of its registered hosts, through
 * that host's one connection wherever in the cluster it lives (docs/api.md, "Embedded actor API").
 *
 * <pre>
 * java -cp ... io.mycelium.examples.EmbeddedClusterExample pekko://mycelium@127.0.0.1:25520 local uname -a
 * </pre>
 *
 * <p>The application's actor system joins as a plain member: the nodes have the role {@code mycelium-node}, this
 * system has not, so it holds no host connection, execution or singleton; it only sends messages to them.
 */
public final class EmbeddedClusterExample {
    private EmbeddedClusterExample() {}

    /** {@code SEED_NODE HOST_ID COMMAND...}: runs the command and exits with its exit code. */
    public static void main(String[] args) {
        if (args.length < 3) {
            System.err.println("usage: EmbeddedClusterExample SEED_NODE HOST_ID COMMAND...");
            System.exit(2);
        }
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "mycelium", memberConfig(args[0]));
        try {
            ExecResult result =
                    run(system, args[1], List.of(args).subList(2, args.length)).join();
            System.out.print(result.stdoutText());
            System.err.print(result.stderrText());
            System.exit(result.exitCode());
        } finally {
            system.terminate();
        }
    }

    /**
     * The configuration of a member that joins the cluster at {@code seedNode}: the actor system must have the
     * cluster's name ({@code mycelium} by default) and the node module's defaults (Kryo registrations) on its class
     * path; the port is any free one.
     */
    public static Config memberConfig(String seedNode) {
        return ConfigFactory.parseMap(
                        Map.of("pekko.cluster.seed-nodes", List.of(seedNode), "pekko.remote.artery.canonical.port", 0))
                .withFallback(ConfigFactory.load());
    }

    /** Runs {@code command} on the cluster's host {@code hostId}. */
    public static CompletableFuture<ExecResult> run(ActorSystem<?> system, String hostId, List<String> command) {
        ProcessHost host = Mycelium.create(system).host(hostId);
        return host.procExec(command, io.mycelium.ExecOptions.defaults());
    }
}

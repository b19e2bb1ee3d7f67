package io.mycelium.host;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;

/**
 * An {@link ActorTestKit} whose system is a one-member cluster on 127.0.0.1 (so entities can reach each other through
 * sharding) with the in-memory persistence testkit journal and snapshot store, and the node's own configuration (Kryo
 * registrations) below that.
 */
public final class ClusterTestKit {
    private ClusterTestKit() {}

    /** The configuration, with {@code overrides} on top. */
    public static Config config(String overrides) {
        return ConfigFactory.parseString(overrides)
                .withFallback(ConfigFactory.parseString("""
                        pekko.actor.provider = cluster
                        pekko.remote.artery.canonical { hostname = "127.0.0.1", port = 0 }
                        pekko.cluster.seed-nodes = []
                        pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                        pekko.loglevel = WARNING
                        """))
                .withFallback(EventSourcedBehaviorTestKit.config())
                .withFallback(PersistenceTestKitSnapshotPlugin.config())
                .withFallback(ConfigFactory.load());
    }

    /** Stops the kit; leaving the cluster and handing shards off may take longer than the testkit's default. */
    public static void stop(ActorTestKit kit) {
        ActorTestKit.shutdown(kit.system(), Duration.ofSeconds(30), true);
    }

    /** A started kit whose cluster is up. */
    public static ActorTestKit start(String name, String overrides) {
        ActorTestKit kit = ActorTestKit.create(name, config(overrides));
        Cluster cluster = Cluster.get(kit.system());
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        kit.createTestProbe().awaitAssert(Duration.ofSeconds(20), () -> {
            assertThat(cluster.selfMember().status()).isEqualTo(MemberStatus.up());
            return null;
        });
        return kit;
    }
}

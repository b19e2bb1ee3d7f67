package io.mycelium.node;

import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;

/**
 * The actor system of the golden-bytes tests: the node's Kryo registrations, and a local provider, so that an actor
 * reference serializes as {@code pekko://golden/...} without a (random) port and the bytes are the same on every run.
 */
public final class GoldenSystem {
    private GoldenSystem() {}

    /** A test kit named {@code golden} over the node's configuration. */
    public static ActorTestKit start() {
        return ActorTestKit.create(
                "golden",
                ConfigFactory.parseString("pekko.actor.provider = local\npekko.loglevel = WARNING")
                        .withFallback(ConfigFactory.load())
                        .resolve());
    }
}

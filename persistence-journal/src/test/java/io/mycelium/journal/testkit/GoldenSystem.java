package io.mycelium.journal.testkit;

import static io.mycelium.journal.testkit.GoldenBytes.assertSerializedMatches;

import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The actor system of the golden-bytes tests, as a JUnit extension ({@code @RegisterExtension static final
 * GoldenSystem golden = new GoldenSystem();}): the node's Kryo registrations, and a local provider, so that an actor
 * reference serializes as {@code pekko://golden/...} without a (random) port and the bytes are the same on every run.
 */
public final class GoldenSystem implements BeforeAllCallback, AfterAllCallback {
    private ActorTestKit testKit;

    @Override
    public void beforeAll(ExtensionContext context) {
        testKit = ActorTestKit.create(
                "golden",
                ConfigFactory.parseString("pekko.actor.provider = local\npekko.loglevel = WARNING")
                        .withFallback(ConfigFactory.load())
                        .resolve());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        testKit.shutdownTestKit();
    }

    /** The running system. */
    public ActorSystem<?> system() {
        return testKit.system();
    }

    /** An actor reference with a stable serialized form, for messages that carry a reply-to. */
    public <T> ActorRef<T> ref() {
        return testKit.system().deadLetters();
    }

    /** Asserts that {@code value} serializes to the golden file {@code name} and reads back equal. */
    public void assertMatches(String name, Object value) {
        assertSerializedMatches(system(), name, value);
    }
}

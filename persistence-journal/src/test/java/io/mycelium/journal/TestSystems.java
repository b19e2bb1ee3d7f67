package io.mycelium.journal;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;

/** Actor systems for this module's tests: the registrations in journal-test.conf over the module's reference.conf. */
final class TestSystems {
    private TestSystems() {}

    /** {@code overlay} over journal-test.conf over the defaults ({@code ActorTestKit.create} reads no config itself). */
    static Config config(Config overlay) {
        return overlay.withFallback(ConfigFactory.parseResources("journal-test.conf"))
                .withFallback(ConfigFactory.load())
                .resolve();
    }

    static ActorTestKit start(String name, Config overlay) {
        return ActorTestKit.create(name, config(overlay));
    }
}

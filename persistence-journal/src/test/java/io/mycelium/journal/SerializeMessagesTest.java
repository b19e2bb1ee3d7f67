package io.mycelium.journal;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.stream.SourceRef;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamRefs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * With {@code pekko.actor.serialize-messages = on} every message between actors goes through its serializer and back,
 * as it would between nodes: a message carrying a typed ActorRef and a SourceRef still works.
 */
class SerializeMessagesTest {
    private static ActorTestKit testKit;

    @BeforeAll
    static void start() {
        testKit = TestSystems.start(
                "SerializeMessagesTest", ConfigFactory.parseString("pekko.actor.serialize-messages = on"));
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    @Test
    void aMessageWithAnActorRefAndASourceRefArrivesAndWorks() {
        ActorRef<StreamOfferActor.Offer> actor = testKit.spawn(StreamOfferActor.create());
        SourceRef<String> source =
                Source.from(List.of("spore", "hypha", "mycelium")).runWith(StreamRefs.sourceRef(), testKit.system());
        TestProbe<StreamOfferActor.Collected> probe = testKit.createTestProbe();

        actor.tell(new StreamOfferActor.Offer(source, probe.ref()));

        assertThat(probe.receiveMessage(Duration.ofSeconds(10)).elements())
                .containsExactly("spore", "hypha", "mycelium");
    }

    @Test
    void messagesReallyGoThroughTheSerializer() {
        TestProbe<Samples.Holder> probe = testKit.createTestProbe();
        List<String> sent = new ArrayList<>(List.of("a", "b"));

        probe.ref().tell(new Samples.Holder(sent));

        Object received = probe.receiveMessage(Duration.ofSeconds(5)).value();
        assertThat(received).isEqualTo(sent).isNotSameAs(sent);
    }
}

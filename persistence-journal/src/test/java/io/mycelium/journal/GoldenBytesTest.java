package io.mycelium.journal;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.typesafe.config.ConfigFactory;
import io.mycelium.journal.testkit.GoldenBytes;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The stored format of this module's samples, pinned in src/test/resources/golden. A failure here means events written
 * before the change would no longer read, or nodes of the previous version could not read the new bytes.
 */
class GoldenBytesTest {
    private static ActorTestKit testKit;

    @BeforeAll
    static void start() {
        testKit = TestSystems.start("GoldenBytesTest", ConfigFactory.empty());
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    @Test
    void everyBuiltInInOneRecord() {
        GoldenBytes.assertSerializedMatches(testKit.system(), "everything-v1", Samples.fixed());
    }

    @Test
    void theCounterEventAndSnapshot() {
        GoldenBytes.assertSerializedMatches(testKit.system(), "counter-incremented-v1", new Counter.Incremented(3));
        GoldenBytes.assertSerializedMatches(testKit.system(), "counter-state-v1", new Counter.State(42));
    }

    @Test
    void anEnumAndAByteStringAtTheTop() {
        GoldenBytes.assertSerializedMatches(testKit.system(), "color-v1", Samples.Color.BLUE);
        GoldenBytes.assertSerializedMatches(
                testKit.system(), "holder-bytestring-v1", new Samples.Holder(ByteString.fromString("mycelium")));
    }

    @Test
    void aMissingGoldenFileFailsWithHowToWriteIt() {
        assumeFalse(GoldenBytes.updating(), "would write the file");

        assertThatThrownBy(() -> GoldenBytes.assertBytesMatch("no-such-sample", new byte[] {1}))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("no golden file")
                .hasMessageContaining("-Dgolden.update=true");
    }

    @Test
    void changedBytesFailWithHowToAcceptThem() {
        assumeFalse(GoldenBytes.updating(), "would rewrite the file");

        assertThatThrownBy(() -> GoldenBytes.assertSerializedMatches(
                        testKit.system(), "counter-incremented-v1", new Counter.Incremented(4)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("counter-incremented-v1");
    }
}

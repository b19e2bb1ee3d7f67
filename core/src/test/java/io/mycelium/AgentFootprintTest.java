package io.mycelium;

import static org.assertj.core.api.Assertions.assertThat;

import io.mycelium.transport.AgentJar;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The agent stays small: under 1 MiB on the wire and under 64 MiB resident when idle. */
class AgentFootprintTest {
    @Test
    void agentJarIsUnderOneMebibyte() {
        assertThat(AgentJar.embedded().size()).isLessThan(1 << 20);
        assertThat(AgentJar.embedded().sha256()).hasSize(64);
    }

    @Test
    void idleAgentRssIsUnder64MiB() throws Exception {
        try (Mycelium mycelium = Mycelium.standalone()) {
            Context local = mycelium.open(Session.local());
            long pid = local.ensureAgent()
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS)
                    .pid();
            local.procExec("true").get(30, TimeUnit.SECONDS);
            Thread.sleep(1000);
            long rss = ProcessProbe.rss(pid);
            System.out.printf("idle agent RSS: %.1f MiB%n", rss / 1048576.0);
            assertThat(rss).isLessThan(64L << 20);
        }
    }
}

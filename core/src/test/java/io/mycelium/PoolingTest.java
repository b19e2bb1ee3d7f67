package io.mycelium;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;

/** One connection per target, closed when idle, opened again on demand. */
class PoolingTest {
    @Test
    void sameTargetSharesOneContextAndOneAgent() throws Exception {
        try (Mycelium mycelium = Mycelium.standalone()) {
            Context first = mycelium.open(Session.local());
            Context second = mycelium.open(Session.local());
            assertThat(second).isSameAs(first);
            long pid = first.ensureAgent()
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS)
                    .pid();
            assertThat(second.ensureAgent()
                            .toCompletableFuture()
                            .get(30, TimeUnit.SECONDS)
                            .pid())
                    .isEqualTo(pid);
            first.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
            Context third = mycelium.open(Session.local());
            assertThat(third).isNotSameAs(first);
            assertThat(third.ensureAgent()
                            .toCompletableFuture()
                            .get(30, TimeUnit.SECONDS)
                            .pid())
                    .isNotEqualTo(pid);
        }
    }

    @Test
    void idleConnectionIsClosedAndReopenedOnDemand() throws Exception {
        var config = ConfigFactory.parseString("mycelium.context { idle-timeout = 1s, keepalive-interval = 200ms }")
                .withFallback(ConfigFactory.load());
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "pooling", config);
        try (Mycelium mycelium = Mycelium.create(system)) {
            Context local = mycelium.open(Session.local());
            long pid = local.ensureAgent()
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS)
                    .pid();
            assertThat(ProcessProbe.waitFor(() -> !ProcessProbe.alive(pid), java.time.Duration.ofSeconds(10)))
                    .as("the idle agent exits")
                    .isTrue();
            assertThat(local.procExec("echo", "back").get(30, TimeUnit.SECONDS).stdoutText())
                    .isEqualTo("back\n");
            assertThat(local.ensureAgent().toCompletableFuture().get().pid()).isNotEqualTo(pid);
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}

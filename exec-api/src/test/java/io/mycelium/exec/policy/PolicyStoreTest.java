package io.mycelium.exec.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mycelium.host.ClusterTestKit;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The {@link PolicyStore} on the persistence testkit: the configuration's policies until replaced, across restarts. */
class PolicyStoreTest {
    private static ActorTestKit kit;
    private EventSourcedBehaviorTestKit<PolicyStore.Command, PolicyStore.Event, PolicyStore.State> store;

    private static ExecPolicy policy(String name, String command) {
        return new ExecPolicy(
                name,
                List.of("alice"),
                Map.of(),
                List.of(command),
                List.of(),
                List.of(),
                List.of(),
                Duration.ofMinutes(1),
                false,
                false,
                false,
                List.of(),
                ResourceLimits.NONE);
    }

    private static final ExecPolicy CONFIGURED = policy("configured", "uname");

    @BeforeAll
    static void start() {
        kit = ClusterTestKit.start("PolicyStoreTest", "");
    }

    @AfterAll
    static void stop() {
        ClusterTestKit.stop(kit);
    }

    @BeforeEach
    void fresh() {
        store = EventSourcedBehaviorTestKit.create(kit.system(), PolicyStore.create(List.of(CONFIGURED)));
        store.clear();
    }

    private PolicySet get() {
        return store.<PolicySet>runCommand(PolicyStore.Get::new).reply();
    }

    @Test
    void startsWithTheConfigurationsPolicies() {
        PolicySet set = get();
        assertThat(set.policies()).containsExactly(CONFIGURED);
        assertThat(set.source()).isEqualTo("config");
        assertThat(set.version()).isZero();
        assertThat(set.updatedBy()).isNull();
    }

    @Test
    void aReplacementIsAFactThatHoldsAcrossRestarts() {
        ExecPolicy replacement = policy("replacement", "echo *");
        var replaced = store.<PolicySet>runCommand(r -> new PolicyStore.Replace(List.of(replacement), "admin", r));
        assertThat(replaced.eventOfType(PolicyStore.PoliciesReplaced.class).by())
                .isEqualTo("admin");
        assertThat(replaced.reply().policies()).containsExactly(replacement);
        assertThat(replaced.reply().source()).isEqualTo("api");
        assertThat(replaced.reply().version()).isEqualTo(1);

        store.restart();
        PolicySet after = get();
        assertThat(after.policies()).containsExactly(replacement);
        assertThat(after.source()).isEqualTo("api");
        assertThat(after.updatedBy()).isEqualTo("admin");
        assertThat(after.updatedAt()).isNotNull();
    }

    @Test
    void aResetGoesBackToTheConfigurationAndHoldsAcrossRestarts() {
        store.<PolicySet>runCommand(r -> new PolicyStore.Replace(List.of(policy("other", "true")), "admin", r));
        var reset = store.<PolicySet>runCommand(r -> new PolicyStore.Reset("admin", r));
        assertThat(reset.event()).isInstanceOf(PolicyStore.PoliciesReset.class);
        assertThat(reset.reply().policies()).containsExactly(CONFIGURED);
        assertThat(reset.reply().version()).isEqualTo(2);

        store.restart();
        assertThat(get().policies()).containsExactly(CONFIGURED);
        assertThat(get().version()).isEqualTo(2);
    }

    @Test
    void aReplacementWithNoPoliciesDeniesEverythingRatherThanFallingBack() {
        store.<PolicySet>runCommand(r -> new PolicyStore.Replace(List.of(), "admin", r));
        store.restart();
        assertThat(get().policies()).isEmpty();
        assertThat(get().source()).isEqualTo("api");
    }
}

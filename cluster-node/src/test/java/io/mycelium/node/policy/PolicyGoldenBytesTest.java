package io.mycelium.node.policy;

import static io.mycelium.journal.testkit.GoldenBytes.assertSerializedMatches;

import io.mycelium.node.GoldenSystem;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The stored and wire format of policies, decisions and the policy store's facts, pinned in src/test/resources/golden:
 * a failure means journals or nodes of the previous version no longer read them.
 */
class PolicyGoldenBytesTest {
    static final Instant AT = Instant.parse("2026-11-21T10:00:00.123456789Z");
    static final ExecPolicy POLICY = new ExecPolicy(
            "web-deploy",
            List.of("spiffe://example.org/ci/*"),
            Map.of("role", "web"),
            List.of("systemctl restart app", "systemctl status *"),
            List.of("rm *"),
            List.of("deploy"),
            List.of("/srv"),
            Duration.ofMinutes(10),
            true,
            false,
            false,
            List.of("APP_ENV"),
            new ResourceLimits(60, 1L << 30, 1024));

    private static ActorTestKit testKit;
    private static ActorSystem<?> system;

    @BeforeAll
    static void start() {
        testKit = GoldenSystem.start();
        system = testKit.system();
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private static <T> ActorRef<T> ref() {
        return system.deadLetters();
    }

    @Test
    void policiesAndDecisions() {
        assertSerializedMatches(system, "exec-policy-v1", POLICY);
        assertSerializedMatches(system, "policy-set-v1", new PolicySet(List.of(POLICY), "api", 3, AT, "alice"));
        assertSerializedMatches(
                system,
                "policy-allowed-v1",
                new PolicyDecision.Allowed(
                        "web-deploy",
                        true,
                        Duration.ofSeconds(30),
                        Map.of("APP_ENV", "prod"),
                        List.of("LD_PRELOAD"),
                        ResourceLimits.NONE));
        assertSerializedMatches(system, "policy-denied-v1", new PolicyDecision.Denied("web-deploy", "rm * is denied"));
    }

    @Test
    void theStore() {
        assertSerializedMatches(system, "policy-store-get-v1", new PolicyStore.Get(ref()));
        assertSerializedMatches(
                system, "policy-store-replace-v1", new PolicyStore.Replace(List.of(POLICY), "alice", ref()));
        assertSerializedMatches(system, "policy-store-reset-v1", new PolicyStore.Reset("alice", ref()));
        PolicyStore.PoliciesReplaced replaced = new PolicyStore.PoliciesReplaced(List.of(POLICY), "alice", AT);
        assertSerializedMatches(system, "policies-replaced-v1", replaced);
        assertSerializedMatches(system, "policies-reset-v1", new PolicyStore.PoliciesReset("alice", AT));
        assertSerializedMatches(system, "policy-store-state-v1", new PolicyStore.State(replaced, 4));
    }
}

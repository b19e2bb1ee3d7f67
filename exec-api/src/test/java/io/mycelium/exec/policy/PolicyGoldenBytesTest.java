package io.mycelium.exec.policy;

import io.mycelium.journal.testkit.GoldenSystem;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

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

    @RegisterExtension
    static final GoldenSystem golden = new GoldenSystem();

    @Test
    void policiesAndDecisions() {
        golden.assertMatches("exec-policy-v1", POLICY);
        golden.assertMatches("policy-set-v1", new PolicySet(List.of(POLICY), "api", 3, AT, "alice"));
        golden.assertMatches(
                "policy-allowed-v1",
                new PolicyDecision.Allowed(
                        "web-deploy",
                        true,
                        Duration.ofSeconds(30),
                        Map.of("APP_ENV", "prod"),
                        List.of("LD_PRELOAD"),
                        ResourceLimits.NONE));
        golden.assertMatches("policy-denied-v1", new PolicyDecision.Denied("web-deploy", "rm * is denied"));
    }

    @Test
    void theStore() {
        golden.assertMatches("policy-store-get-v1", new PolicyStore.Get(golden.ref()));
        golden.assertMatches(
                "policy-store-replace-v1", new PolicyStore.Replace(List.of(POLICY), "alice", golden.ref()));
        golden.assertMatches("policy-store-reset-v1", new PolicyStore.Reset("alice", golden.ref()));
        PolicyStore.PoliciesReplaced replaced = new PolicyStore.PoliciesReplaced(List.of(POLICY), "alice", AT);
        golden.assertMatches("policies-replaced-v1", replaced);
        golden.assertMatches("policies-reset-v1", new PolicyStore.PoliciesReset("alice", AT));
        golden.assertMatches("policy-store-state-v1", new PolicyStore.State(replaced, 4));
    }
}

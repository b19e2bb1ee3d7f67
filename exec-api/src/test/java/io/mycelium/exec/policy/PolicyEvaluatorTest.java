package io.mycelium.exec.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The policy matrix: every rule of {@link ExecPolicy}, decided by {@link PolicyEvaluator}. */
class PolicyEvaluatorTest {
    private static final Map<String, String> WEB = Map.of("role", "web");

    private static ExecPolicy policy(String name, List<String> allowed, List<String> denied) {
        return new ExecPolicy(
                name,
                List.of("alice", "spiffe://example.org/ci/*"),
                WEB,
                allowed,
                denied,
                List.of("deploy"),
                List.of("/srv"),
                Duration.ofMinutes(5),
                false,
                false,
                false,
                List.of("LD_LIBRARY_PATH"),
                ResourceLimits.NONE);
    }

    private static PolicyRequest request(String principal, List<String> command) {
        return new PolicyRequest(principal, WEB, command, null, null, null, Map.of(), false, false);
    }

    @Test
    void allowsAMatchingCommandAndNamesThePolicy() {
        PolicyDecision d = PolicyEvaluator.decide(
                List.of(policy("web", List.of("echo *", "uname"), List.of())), request("alice", List.of("echo", "hi")));
        assertThat(d).isInstanceOfSatisfying(PolicyDecision.Allowed.class, a -> {
            assertThat(a.policy()).isEqualTo("web");
            assertThat(a.approvalRequired()).isFalse();
        });
    }

    @Test
    void deniesACommandOutsideTheAllowList() {
        PolicyDecision d = PolicyEvaluator.decide(
                List.of(policy("web", List.of("uname"), List.of())), request("alice", List.of("uname", "-a")));
        assertThat(d).isInstanceOfSatisfying(PolicyDecision.Denied.class, x -> {
            assertThat(x.policy()).isEqualTo("web");
            assertThat(x.reason()).contains("not in allowedCommands");
        });
    }

    @Test
    void anAllowPatternDoesNotCoverAnotherProgramOfTheSameName() {
        PolicyDecision d = PolicyEvaluator.decide(
                List.of(policy("web", List.of("echo *"), List.of())), request("alice", List.of("/tmp/echo", "x")));
        assertThat(d).isInstanceOf(PolicyDecision.Denied.class);
    }

    @Test
    void deniedByListAlsoWhenTheProgramHasAPath() {
        List<ExecPolicy> policies = List.of(policy("web", List.of("*"), List.of("rm *")));
        assertThat(PolicyEvaluator.decide(policies, request("alice", List.of("rm", "-rf", "/"))))
                .isInstanceOfSatisfying(
                        PolicyDecision.Denied.class, x -> assertThat(x.reason()).contains("\"rm *\""));
        assertThat(PolicyEvaluator.decide(policies, request("alice", List.of("/bin/rm", "-rf", "/"))))
                .isInstanceOf(PolicyDecision.Denied.class);
    }

    @Test
    void aDenyInAnyApplicablePolicyWinsOverAnAllowInAnother() {
        List<ExecPolicy> policies = List.of(
                policy("permissive", List.of("*"), List.of()), policy("guard", List.of(), List.of("shutdown*")));
        PolicyDecision d = PolicyEvaluator.decide(policies, request("alice", List.of("shutdown", "-h", "now")));
        assertThat(d)
                .isInstanceOfSatisfying(
                        PolicyDecision.Denied.class, x -> assertThat(x.policy()).isEqualTo("guard"));
    }

    @Test
    void deniesByDefaultWhenNoPolicyBindsThePrincipalOrHost() {
        List<ExecPolicy> policies = List.of(policy("web", List.of("*"), List.of()));
        assertThat(PolicyEvaluator.decide(policies, request("mallory", List.of("true"))))
                .isInstanceOfSatisfying(
                        PolicyDecision.Denied.class, x -> assertThat(x.policy()).isEqualTo("none"));
        PolicyRequest otherHost = new PolicyRequest(
                "alice", Map.of("role", "db"), List.of("true"), null, null, null, Map.of(), false, false);
        assertThat(PolicyEvaluator.decide(policies, otherHost)).isInstanceOf(PolicyDecision.Denied.class);
    }

    @Test
    void principalPrefixPatternsBind() {
        List<ExecPolicy> policies = List.of(policy("web", List.of("*"), List.of()));
        assertThat(PolicyEvaluator.decide(policies, request("spiffe://example.org/ci/deployer", List.of("true"))))
                .isInstanceOf(PolicyDecision.Allowed.class);
        assertThat(PolicyEvaluator.decide(policies, request("spiffe://example.org/cix", List.of("true"))))
                .isInstanceOf(PolicyDecision.Denied.class);
    }

    @Test
    void usersMustBeAllowed() {
        List<ExecPolicy> policies = List.of(policy("web", List.of("*"), List.of()));
        assertThat(PolicyEvaluator.decide(policies, withUser("deploy"))).isInstanceOf(PolicyDecision.Allowed.class);
        assertThat(PolicyEvaluator.decide(policies, withUser("root")))
                .isInstanceOfSatisfying(
                        PolicyDecision.Denied.class, x -> assertThat(x.reason()).contains("root"));
    }

    private static PolicyRequest withUser(String user) {
        return new PolicyRequest("alice", WEB, List.of("id"), user, null, null, Map.of(), false, false);
    }

    @Test
    void workDirsMustBeInsideAnAllowedRootWithoutDotDot() {
        List<ExecPolicy> policies = List.of(policy("web", List.of("*"), List.of()));
        assertThat(PolicyEvaluator.decide(policies, withWorkDir("/srv/app")))
                .isInstanceOf(PolicyDecision.Allowed.class);
        assertThat(PolicyEvaluator.decide(policies, withWorkDir("/srv"))).isInstanceOf(PolicyDecision.Allowed.class);
        assertThat(PolicyEvaluator.decide(policies, withWorkDir("/srvx"))).isInstanceOf(PolicyDecision.Denied.class);
        assertThat(PolicyEvaluator.decide(policies, withWorkDir("/srv/../etc")))
                .isInstanceOf(PolicyDecision.Denied.class);
        assertThat(PolicyEvaluator.decide(policies, withWorkDir("/etc"))).isInstanceOf(PolicyDecision.Denied.class);
    }

    private static PolicyRequest withWorkDir(String dir) {
        return new PolicyRequest("alice", WEB, List.of("ls"), null, dir, null, Map.of(), false, false);
    }

    @Test
    void timeoutsAreClampedToTheMaximumAndDefaultToIt() {
        List<ExecPolicy> policies = List.of(policy("web", List.of("*"), List.of()));
        assertThat(((PolicyDecision.Allowed) PolicyEvaluator.decide(policies, withTimeout(Duration.ofHours(2))))
                        .timeout())
                .isEqualTo(Duration.ofMinutes(5));
        assertThat(((PolicyDecision.Allowed) PolicyEvaluator.decide(policies, withTimeout(Duration.ofSeconds(10))))
                        .timeout())
                .isEqualTo(Duration.ofSeconds(10));
        assertThat(((PolicyDecision.Allowed) PolicyEvaluator.decide(policies, withTimeout(null))).timeout())
                .isEqualTo(Duration.ofMinutes(5));
    }

    private static PolicyRequest withTimeout(Duration t) {
        return new PolicyRequest("alice", WEB, List.of("sleep", "1"), null, null, t, Map.of(), false, false);
    }

    @Test
    void approvalIsRequiredWhenThePolicySaysSo() {
        ExecPolicy p = new ExecPolicy(
                "gated",
                List.of("alice"),
                Map.of(),
                List.of("*"),
                List.of(),
                List.of(),
                List.of(),
                null,
                true,
                false,
                false,
                List.of(),
                ResourceLimits.NONE);
        assertThat(PolicyEvaluator.decide(List.of(p), request("alice", List.of("reboot"))))
                .isInstanceOfSatisfying(
                        PolicyDecision.Allowed.class,
                        a -> assertThat(a.approvalRequired()).isTrue());
    }

    @Test
    void interactiveAndTtyNeedTheirOwnAllowances() {
        List<ExecPolicy> policies = List.of(policy("web", List.of("*"), List.of()));
        PolicyRequest interactive =
                new PolicyRequest("alice", WEB, List.of("bash"), null, null, null, Map.of(), true, false);
        PolicyRequest tty = new PolicyRequest("alice", WEB, List.of("bash"), null, null, null, Map.of(), false, true);
        assertThat(PolicyEvaluator.decide(policies, interactive))
                .isInstanceOfSatisfying(
                        PolicyDecision.Denied.class, x -> assertThat(x.reason()).contains("interactive"));
        assertThat(PolicyEvaluator.decide(policies, tty))
                .isInstanceOfSatisfying(
                        PolicyDecision.Denied.class, x -> assertThat(x.reason()).contains("TTY"));
        ExecPolicy open = new ExecPolicy(
                "open",
                List.of("alice"),
                Map.of(),
                List.of("*"),
                List.of(),
                List.of(),
                List.of(),
                null,
                false,
                true,
                true,
                List.of(),
                ResourceLimits.NONE);
        assertThat(PolicyEvaluator.decide(List.of(open), interactive)).isInstanceOf(PolicyDecision.Allowed.class);
        assertThat(PolicyEvaluator.decide(List.of(open), tty)).isInstanceOf(PolicyDecision.Allowed.class);
    }

    @Test
    void loaderVariablesAreDroppedUnlessThePolicyAllowsThem() {
        PolicyRequest r = new PolicyRequest(
                "alice",
                WEB,
                List.of("env"),
                null,
                null,
                null,
                Map.of("LD_PRELOAD", "/tmp/evil.so", "LD_LIBRARY_PATH", "/opt/lib", "BASH_ENV", "/tmp/x", "APP", "1"),
                false,
                false);
        PolicyDecision.Allowed a =
                (PolicyDecision.Allowed) PolicyEvaluator.decide(List.of(policy("web", List.of("*"), List.of())), r);
        assertThat(a.environment()).containsOnlyKeys("LD_LIBRARY_PATH", "APP");
        assertThat(a.droppedEnvironment()).containsExactlyInAnyOrder("LD_PRELOAD", "BASH_ENV");
    }

    @Test
    void theFirstPolicyWhoseEveryRulePassesAllowsAndAllRefusingNamesTheFirst() {
        ExecPolicy narrow = policy("narrow", List.of("uname"), List.of());
        ExecPolicy wide = policy("wide", List.of("echo *"), List.of());
        assertThat(PolicyEvaluator.decide(List.of(narrow, wide), request("alice", List.of("echo", "hi"))))
                .isInstanceOfSatisfying(
                        PolicyDecision.Allowed.class,
                        a -> assertThat(a.policy()).isEqualTo("wide"));
        assertThat(PolicyEvaluator.decide(List.of(narrow, wide), request("alice", List.of("id"))))
                .isInstanceOfSatisfying(PolicyDecision.Denied.class, d -> {
                    assertThat(d.policy()).isEqualTo("narrow");
                    assertThat(d.reason()).contains("\"id\"").contains("not in allowedCommands");
                });
    }

    @Test
    void aDenyOnlyCountsInPoliciesThatApply() {
        ExecPolicy otherTeam = new ExecPolicy(
                "other-team",
                List.of("bob"),
                Map.of(),
                List.of(),
                List.of("*"),
                List.of(),
                List.of(),
                null,
                false,
                false,
                false,
                List.of(),
                ResourceLimits.NONE);
        assertThat(PolicyEvaluator.decide(
                        List.of(otherTeam, policy("web", List.of("*"), List.of())), request("alice", List.of("true"))))
                .isInstanceOf(PolicyDecision.Allowed.class);
    }

    @Test
    void withoutAUserOrAMaximumTheRequestKeepsItsOwnValues() {
        ExecPolicy unbounded = new ExecPolicy(
                "unbounded",
                List.of("*"),
                Map.of(),
                List.of("*"),
                List.of(),
                List.of(),
                List.of(),
                null,
                false,
                false,
                false,
                List.of(),
                ResourceLimits.NONE);
        PolicyRequest noTimeout =
                new PolicyRequest("anyone", WEB, List.of("true"), null, null, null, Map.of(), false, false);
        assertThat(((PolicyDecision.Allowed) PolicyEvaluator.decide(List.of(unbounded), noTimeout)).timeout())
                .isNull();
        PolicyRequest hour = new PolicyRequest(
                "anyone", WEB, List.of("true"), null, null, Duration.ofHours(1), Map.of(), false, false);
        assertThat(((PolicyDecision.Allowed) PolicyEvaluator.decide(List.of(unbounded), hour)).timeout())
                .isEqualTo(Duration.ofHours(1));
        PolicyRequest asRoot =
                new PolicyRequest("anyone", WEB, List.of("id"), "root", null, null, Map.of(), false, false);
        assertThat(PolicyEvaluator.decide(List.of(unbounded), asRoot))
                .as("an empty allowedUsers allows only the login user")
                .isInstanceOf(PolicyDecision.Denied.class);
        PolicyRequest inDir =
                new PolicyRequest("anyone", WEB, List.of("ls"), null, "/tmp", null, Map.of(), false, false);
        assertThat(PolicyEvaluator.decide(List.of(unbounded), inDir))
                .as("an empty allowedWorkDirs allows only the agent's directory")
                .isInstanceOf(PolicyDecision.Denied.class);
    }

    @Test
    void invalidPoliciesAreRefusedWithTheReason() {
        assertThatThrownBy(() -> new ExecPolicy(
                        "p", List.of(), Map.of(), List.of(), List.of(), List.of(), List.of(), null, false, false, false,
                        List.of(), null))
                .hasMessageContaining("binds to no principal");
        assertThatThrownBy(() -> new ExecPolicy(
                        "p",
                        List.of("a"),
                        Map.of(),
                        List.of(),
                        List.of(),
                        List.of(),
                        List.of("relative/dir"),
                        null,
                        false,
                        false,
                        false,
                        List.of(),
                        null))
                .hasMessageContaining("absolute");
        assertThatThrownBy(() -> new ExecPolicy(
                        "bad name!",
                        List.of("a"),
                        Map.of(),
                        List.of(),
                        List.of(),
                        List.of(),
                        List.of(),
                        null,
                        false,
                        false,
                        false,
                        List.of(),
                        null))
                .hasMessageContaining("policy name");
    }

    @Test
    void limitsWrapTheCommandWithoutReparsingItsWords() {
        ResourceLimits limits = new ResourceLimits(10, 64L << 20, 256);
        assertThat(limits.wrap(List.of("echo", "a b", "$HOME")))
                .containsExactly(
                        "/bin/sh",
                        "-c",
                        "ulimit -t 10 && ulimit -v 65536 && ulimit -n 256 && exec \"$@\"",
                        "mycelium-limits",
                        "echo",
                        "a b",
                        "$HOME");
        assertThat(ResourceLimits.NONE.wrap(List.of("true"))).containsExactly("true");
    }
}

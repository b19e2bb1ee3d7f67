package io.mycelium.exec.policy;

import java.time.Duration;
import java.util.List;

/**
 * Decides a request against a list of policies. Deny by default: with no applicable policy nothing runs.
 *
 * <ol>
 *   <li>The applicable policies are those bound to the principal and the host's labels.
 *   <li>A matching deny pattern in any applicable policy denies (deny wins).
 *   <li>Otherwise the first applicable policy whose every rule passes allows; its maximum timeout, approval, limits
 *       and environment allowances apply.
 *   <li>Otherwise the request is denied with the reason the first applicable policy gave.
 * </ol>
 */
public final class PolicyEvaluator {
    private PolicyEvaluator() {}

    /** Decides {@code request} against {@code policies}, in their order. */
    public static PolicyDecision decide(List<ExecPolicy> policies, PolicyRequest request) {
        List<ExecPolicy> applicable = policies.stream()
                .filter(p -> p.appliesTo(request.principal(), request.hostLabels()))
                .toList();
        if (applicable.isEmpty()) {
            return new PolicyDecision.Denied(
                    "none", "no policy grants " + request.principal() + " anything on this host (deny by default)");
        }
        for (ExecPolicy policy : applicable) {
            String deny = policy.denyingPattern(request.command());
            if (deny != null) {
                return new PolicyDecision.Denied(policy.name(), "command matches denied pattern \"" + deny + "\"");
            }
        }
        String firstReason = null;
        String firstPolicy = null;
        for (ExecPolicy policy : applicable) {
            String refusal = refusal(policy, request);
            if (refusal == null) {
                EnvironmentSanitiser.Result env =
                        EnvironmentSanitiser.sanitise(request.environment(), policy.allowedEnvironment());
                return new PolicyDecision.Allowed(
                        policy.name(),
                        policy.requireApproval(),
                        clamp(request.timeout(), policy.maxTimeout()),
                        env.kept(),
                        env.dropped(),
                        policy.limits());
            }
            if (firstReason == null) {
                firstReason = refusal;
                firstPolicy = policy.name();
            }
        }
        return new PolicyDecision.Denied(firstPolicy, firstReason);
    }

    /** Why the policy refuses the request, or null when it allows it. */
    private static String refusal(ExecPolicy policy, PolicyRequest request) {
        if (!policy.allows(request.command())) {
            return "command \"" + CommandPattern.line(request.command()) + "\" is not in allowedCommands";
        }
        if (request.user() != null && !policy.allowedUsers().contains(request.user())) {
            return "running as user " + request.user() + " is not allowed";
        }
        if (request.workDir() != null) {
            if (!WorkDirs.isAbsoluteAndNormal(request.workDir())) {
                return "workDir must be an absolute path without . or .. elements: " + request.workDir();
            }
            if (policy.allowedWorkDirs().stream().noneMatch(root -> WorkDirs.isWithin(request.workDir(), root))) {
                return "workDir " + request.workDir() + " is outside allowedWorkDirs";
            }
        }
        if (request.interactive() && !policy.allowInteractive()) {
            return "interactive sessions are not allowed";
        }
        if (request.tty() && !policy.allowTty()) {
            return "a TTY is not allowed";
        }
        return null;
    }

    private static Duration clamp(Duration requested, Duration max) {
        if (max == null) {
            return requested;
        }
        return requested == null || requested.compareTo(max) > 0 ? max : requested;
    }
}

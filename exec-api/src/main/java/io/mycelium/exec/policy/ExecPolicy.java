package io.mycelium.exec.policy;

import io.mycelium.api.identity.PrincipalPattern;
import io.mycelium.journal.KryoSerializable;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Who may run what, where and how: one rule of the governed exec API. A policy applies to a request when the
 * request's principal matches one of {@code principals} and the host carries every label in {@code hostLabels}.
 *
 * @param name names the policy in decisions, errors and the audit trail
 * @param principals principal patterns: {@code "*"}, {@code "prefix*"} or an exact name
 * @param hostLabels labels a host must carry (all of them) for the policy to apply; empty for every host
 * @param allowedCommands command-line globs that may run (see {@link #allows}); empty allows nothing
 * @param deniedCommands command-line globs that never run; a deny in any applicable policy wins over every allow
 * @param allowedUsers users a request may ask to run as; empty: only as the host's login user
 * @param allowedWorkDirs absolute directories (and their subdirectories) a request may run in; empty: only the
 *     agent's default directory
 * @param maxTimeout the longest a process may run; longer requests are clamped, requests without a timeout get it;
 *     null for no maximum
 * @param requireApproval whether a request waits as pending until an approver approves or denies it
 * @param allowInteractive whether interactive (WebSocket) sessions are allowed
 * @param allowTty whether a terminal may be requested
 * @param allowedEnvironment names of otherwise dropped variables (LD_PRELOAD and the like) this policy lets through
 * @param limits rlimits put on the process
 */
public record ExecPolicy(
        String name,
        List<String> principals,
        Map<String, String> hostLabels,
        List<String> allowedCommands,
        List<String> deniedCommands,
        List<String> allowedUsers,
        List<String> allowedWorkDirs,
        Duration maxTimeout,
        boolean requireApproval,
        boolean allowInteractive,
        boolean allowTty,
        List<String> allowedEnvironment,
        ResourceLimits limits)
        implements KryoSerializable {

    /** Validates and copies; missing lists become empty. */
    public ExecPolicy {
        if (name == null || !name.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("policy name must be 1-64 characters of A-Z a-z 0-9 . _ -: " + name);
        }
        principals = copy(principals);
        if (principals.isEmpty()) {
            throw new IllegalArgumentException("policy " + name + " binds to no principal: set principals");
        }
        principals.forEach(PrincipalPattern::new);
        hostLabels = hostLabels == null ? Map.of() : Map.copyOf(hostLabels);
        allowedCommands = copy(allowedCommands);
        deniedCommands = copy(deniedCommands);
        allowedCommands.forEach(CommandPattern::of);
        deniedCommands.forEach(CommandPattern::of);
        allowedUsers = copy(allowedUsers);
        allowedWorkDirs = copy(allowedWorkDirs);
        for (String dir : allowedWorkDirs) {
            if (!WorkDirs.isAbsoluteAndNormal(dir)) {
                throw new IllegalArgumentException(
                        "policy " + name + ": allowedWorkDirs entries must be absolute, normalised paths: " + dir);
            }
        }
        if (maxTimeout != null && (maxTimeout.isNegative() || maxTimeout.isZero())) {
            throw new IllegalArgumentException("policy " + name + ": maxTimeout must be positive");
        }
        allowedEnvironment = copy(allowedEnvironment);
        limits = limits == null ? ResourceLimits.NONE : limits;
    }

    /** Whether this policy binds to the principal and the host. */
    public boolean appliesTo(String principal, Map<String, String> labels) {
        return principals.stream().map(PrincipalPattern::new).anyMatch(p -> p.matches(principal))
                && labels.entrySet().containsAll(hostLabels.entrySet());
    }

    /**
     * Whether an allow pattern matches the command line exactly as given (the program's path included: {@code "echo
     * *"} does not allow {@code /tmp/echo}).
     */
    public boolean allows(List<String> command) {
        String line = CommandPattern.line(command);
        return allowedCommands.stream().map(CommandPattern::of).anyMatch(p -> p.matches(line));
    }

    /** The first deny pattern that matches the command line as given or with the program's directory removed. */
    public String denyingPattern(List<String> command) {
        String line = CommandPattern.line(command);
        String bare = CommandPattern.lineWithBareProgram(command);
        return deniedCommands.stream()
                .map(CommandPattern::of)
                .filter(p -> p.matches(line) || p.matches(bare))
                .map(CommandPattern::glob)
                .findFirst()
                .orElse(null);
    }

    private static List<String> copy(List<String> list) {
        return list == null ? List.of() : List.copyOf(list);
    }
}

package io.mycelium.exec.policy;

import io.mycelium.journal.KryoSerializable;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** What the policies decided about a request. */
public sealed interface PolicyDecision extends KryoSerializable {

    /** The policy that decided, or {@code "none"} when no policy applied. */
    String policy();

    /**
     * The request may run (at once, or after approval when {@code approvalRequired}).
     *
     * @param policy the policy that allowed it
     * @param approvalRequired whether it waits for an approver first
     * @param timeout the effective timeout (clamped to the policy's maximum), or null for none
     * @param environment the environment after sanitising
     * @param droppedEnvironment names of the variables dropped by sanitising
     * @param limits rlimits to put on the process
     */
    record Allowed(
            String policy,
            boolean approvalRequired,
            Duration timeout,
            Map<String, String> environment,
            List<String> droppedEnvironment,
            ResourceLimits limits)
            implements PolicyDecision {
        /** Copies. */
        public Allowed {
            environment = Map.copyOf(environment);
            droppedEnvironment = List.copyOf(droppedEnvironment);
        }
    }

    /**
     * The request may not run.
     *
     * @param policy the policy whose rule denied it, or {@code "none"}
     * @param reason which rule, in words a user can act on
     */
    record Denied(String policy, String reason) implements PolicyDecision {}
}

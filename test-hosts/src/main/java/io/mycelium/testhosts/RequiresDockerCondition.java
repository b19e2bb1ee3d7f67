package io.mycelium.testhosts;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;

/**
 * The condition behind {@link RequiresDocker}: enabled when Testcontainers reaches a Docker engine; otherwise disabled
 * with a reason, or, when the environment variable {@code CI} is {@code true}, failed with an exception.
 */
public final class RequiresDockerCondition implements ExecutionCondition {
    static final String NO_DOCKER =
            "no Docker engine reachable: start one with `dockerd --bridge=none --iptables=false`"
                    + " and build the images with docker/build.sh";

    /** Asked once per JVM: Testcontainers caches the answer anyway, and a missing engine takes a while to rule out. */
    private static volatile Boolean dockerAvailable;

    /** Made by JUnit for {@link RequiresDocker}. */
    public RequiresDockerCondition() {}

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (dockerAvailable()) {
            return ConditionEvaluationResult.enabled("a Docker engine is reachable");
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException(NO_DOCKER + ". CI=true: tests that need Docker must run in CI, not be"
                    + " skipped (.ci/run starts dockerd in ensure_docker)");
        }
        return ConditionEvaluationResult.disabled(NO_DOCKER);
    }

    static boolean dockerAvailable() {
        Boolean available = dockerAvailable;
        if (available == null) {
            synchronized (RequiresDockerCondition.class) {
                available = dockerAvailable;
                if (available == null) {
                    available = DockerClientFactory.instance().isDockerAvailable();
                    dockerAvailable = available;
                }
            }
        }
        return available;
    }
}

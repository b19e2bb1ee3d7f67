package io.mycelium.testhosts;

import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The condition behind {@link RequiresPostgres}: enabled when the test PostgreSQL server accepts a login; otherwise
 * disabled with a reason, or, when the environment variable {@code CI} is {@code true}, failed with an exception.
 */
public final class RequiresPostgresCondition implements ExecutionCondition {
    static final String HOW_TO_START = "start one and create its role and database as ensure_postgres in .ci/run does"
            + " (pg_ctlcluster VERSION main start; role mycelium with password mycelium, LOGIN, CREATEDB; database"
            + " mycelium), or point MYCELIUM_PG_URL, MYCELIUM_PG_USER and MYCELIUM_PG_PASSWORD at one";

    /**
     * Asked once per JVM: an unreachable server costs a connect timeout each time, and the answer does not change
     * during a test run. Null until asked; the reason it is unusable, or "" when it is usable.
     */
    private static volatile String unusableBecause;

    /** Made by JUnit for {@link RequiresPostgres}. */
    public RequiresPostgresCondition() {}

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        TestDatabase.Server server = TestDatabase.Server.fromEnvironment();
        String reason = unusableBecause(server);
        if (reason.isEmpty()) {
            return ConditionEvaluationResult.enabled("PostgreSQL answers at " + server.url());
        }
        String message = "no PostgreSQL at " + server.url() + " for user " + server.user() + " (" + reason + "): "
                + HOW_TO_START;
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException(message + ". CI=true: tests that need PostgreSQL must run in CI, not be"
                    + " skipped (.ci/run starts it in ensure_postgres)");
        }
        return ConditionEvaluationResult.disabled(message);
    }

    static String unusableBecause(TestDatabase.Server server) {
        String reason = unusableBecause;
        if (reason == null) {
            synchronized (RequiresPostgresCondition.class) {
                reason = unusableBecause;
                if (reason == null) {
                    reason = probe(server);
                    unusableBecause = reason;
                }
            }
        }
        return reason;
    }

    private static String probe(TestDatabase.Server server) {
        try (Connection connection = server.connect()) {
            return connection.isValid(5) ? "" : "the connection is not valid";
        } catch (SQLException e) {
            return e.getMessage();
        }
    }
}

package io.mycelium.testhosts;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class or method that needs the test PostgreSQL server (usually through a {@link TestDatabase}).
 *
 * <p>Where the server answers at {@code MYCELIUM_PG_URL} (default {@value TestDatabase.Server#DEFAULT_URL}, role and
 * password {@code mycelium}, see {@link TestDatabase.Server#fromEnvironment()}) the tests run. Where it does not, they
 * are skipped with a reason that says how to start one, except under CI (environment variable {@code CI=true}), where
 * they fail instead: CI must never pass by skipping them. {@code .ci/run} starts the server first.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(RequiresPostgresCondition.class)
public @interface RequiresPostgres {}

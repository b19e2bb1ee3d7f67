package io.mycelium.testhosts;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class or method that needs a Docker engine (usually to start {@link TestHost}s).
 *
 * <p>Where an engine is reachable the tests run. Where none is, they are skipped with a reason that says how to start
 * one, except under CI (environment variable {@code CI=true}), where they fail instead: CI must never pass by
 * skipping them. {@code .ci/run} starts an engine and builds the images first.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(RequiresDockerCondition.class)
public @interface RequiresDocker {}

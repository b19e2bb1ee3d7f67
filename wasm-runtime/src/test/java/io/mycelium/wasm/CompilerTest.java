package io.mycelium.wasm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The optimizing compiler is enabled in the tests' JVM (the surefire argLine adds the JVMCI flags): without it every
 * Wasm figure is 50 times off, so this fails rather than let the suite pass slowly.
 */
class CompilerTest {
    @Test
    void optimizingCompilerIsEnabled() {
        CompilerStatus status = CompilerStatus.current();

        assertThat(status.optimizing()).as(status.describe()).isTrue();
        assertThat(status.implementation()).isNotEqualTo("Interpreted");
        assertThat(status.reason()).isEmpty();
        assertThat(status.describe()).startsWith("Wasm runs with Truffle's optimizing compiler");
    }

    @Test
    void runtimeThatRequiresTheCompilerStarts() {
        try (WasmRuntime runtime =
                WasmRuntime.builder().requireOptimizingCompiler().build()) {
            assertThat(runtime.compiler().optimizing()).isTrue();
            // A warm instance on a warm engine: the path every stateless call takes.
            WasmModule echo = runtime.load(TestModules.bytes("echo"), "echo");
            for (int i = 0; i < 5; i++) {
                echo.call(Json.parse("{}"));
            }
            assertThat(echo.call(Json.parse("{}")).elapsed()).isLessThan(Duration.ofSeconds(2));
        }
    }
}

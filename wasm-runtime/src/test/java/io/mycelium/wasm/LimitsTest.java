package io.mycelium.wasm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mycelium.wasm.LimitExceededException.Limit;
import io.mycelium.wasm.capability.Grants;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Time, memory and output limits: each stops the call with an error naming it, and the runtime goes on serving. */
class LimitsTest {
    private static WasmRuntime runtime;

    @BeforeAll
    static void start() {
        runtime = WasmRuntime.builder().requireOptimizingCompiler().build();
    }

    @AfterAll
    static void stop() {
        runtime.close();
    }

    @Test
    void infiniteLoopStopsAtItsTimeoutAndTheNextCallSucceeds() {
        WasmModule loop = runtime.load(TestModules.bytes("loop"), "loop");
        WasmModule echo = runtime.load(TestModules.bytes("echo"), "echo");
        CallOptions quick =
                CallOptions.defaults().withLimits(WasmLimits.defaults().withTimeout(Duration.ofMillis(300)));

        for (int round = 0; round < 2; round++) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> loop.call(Json.parse("{}"), quick))
                    .isInstanceOfSatisfying(LimitExceededException.class, e -> {
                        assertThat(e.code()).isEqualTo(WasmErrorCode.LIMIT_EXCEEDED);
                        assertThat(e.limit()).isEqualTo(Limit.TIME);
                        assertThat(e.allowed()).isEqualTo(300);
                        assertThat(e).hasMessage("loop exceeded its time limit of 300 ms and was stopped");
                    });
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));

            assertThat(echo.call(Json.parse("{\"after\":" + round + "}"), quick).output())
                    .isEqualTo(Json.parse("{\"echo\":{\"after\":" + round + "}}"));
        }
    }

    @Test
    void timeoutClosesAKeptInstanceButNotItsModule() {
        WasmModule reactor = runtime.load(TestModules.bytes("reactor"), "reactor");
        WasmModule loop = runtime.load(TestModules.bytes("loop"), "loop");
        WasmLimits quick = WasmLimits.defaults().withTimeout(Duration.ofMillis(200));
        try (WasmInstance instance = loop.instantiate(Grants.none(), quick)) {
            assertThatThrownBy(() -> instance.call("_start", Json.parse("{}")))
                    .isInstanceOfSatisfying(
                            LimitExceededException.class,
                            e -> assertThat(e.limit()).isEqualTo(Limit.TIME));
            assertThat(instance.isOpen()).isFalse();
            assertThatThrownBy(() -> instance.call("_start", Json.parse("{}")))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("this instance of loop is closed: its call exceeded the time limit");
        }
        assertThat(reactor.call(Json.parse("1"), CallOptions.defaults().withExport("handle"))
                        .output()
                        .get("echo")
                        .asInt())
                .isEqualTo(1);
    }

    @Test
    void memoryLimitHoldsWhenTheModuleGrowsItsMemory() {
        WasmModule memory = runtime.load(TestModules.bytes("memory"), "memory");
        CallOptions sixteenMiB =
                CallOptions.defaults().withLimits(WasmLimits.defaults().withMaxMemoryBytes(16L << 20));

        assertThat(memory.call(Json.parse("{\"mib\":8}"), sixteenMiB).output())
                .isEqualTo(Json.parse("{\"allocatedMiB\":8,\"sum\":28}"));
        assertThatThrownBy(() -> memory.call(Json.parse("{\"mib\":64}"), sixteenMiB))
                .isInstanceOfSatisfying(LimitExceededException.class, e -> {
                    assertThat(e.limit()).isEqualTo(Limit.MEMORY);
                    assertThat(e.allowed()).isEqualTo(16L << 20);
                    assertThat(e.attempted()).isGreaterThan(16L << 20);
                    assertThat(e).hasMessageStartingWith("memory exceeded its memory limit: it asked for ");
                    assertThat(e).hasMessageEndingWith(" of linear memory, the limit is 16 MiB");
                });
        // The default limit (64 MiB) is another variant of the module; both keep working.
        assertThat(memory.call(Json.parse("{\"mib\":40}")).output())
                .isEqualTo(Json.parse("{\"allocatedMiB\":40,\"sum\":780}"));
        assertThat(memory.call(Json.parse("{\"mib\":1}"), sixteenMiB).output())
                .isEqualTo(Json.parse("{\"allocatedMiB\":1,\"sum\":0}"));
    }

    @Test
    void memoryLimitHoldsForTheDeclaredInitialMemory() {
        WasmModule big = runtime.load(TestModules.bytes("big_memory"), "big_memory");
        CallOptions sixteenMiB =
                CallOptions.defaults().withLimits(WasmLimits.defaults().withMaxMemoryBytes(16L << 20));

        assertThatThrownBy(() -> big.call(Json.parse("{}"), sixteenMiB))
                .isInstanceOfSatisfying(LimitExceededException.class, e -> {
                    assertThat(e.limit()).isEqualTo(Limit.MEMORY);
                    assertThat(e.attempted()).isEqualTo(400L * 65536);
                    assertThat(e)
                            .hasMessage("big_memory declares 26214400 bytes of initial memory, over its memory"
                                    + " limit of 16777216 bytes");
                });
    }

    @Test
    void outputLimitHoldsAndTheModuleIsStoppedEvenWhenItIgnoresWriteErrors() {
        WasmModule spam = runtime.load(TestModules.bytes("spam"), "spam");
        CallOptions small =
                CallOptions.defaults().withLimits(WasmLimits.defaults().withMaxOutputBytes(64 * 1024));

        long start = System.nanoTime();
        assertThatThrownBy(() -> spam.call(Json.parse("{\"kib\":100000000}"), small))
                .isInstanceOfSatisfying(LimitExceededException.class, e -> {
                    assertThat(e.limit()).isEqualTo(Limit.OUTPUT);
                    assertThat(e.allowed()).isEqualTo(64 * 1024);
                    assertThat(e.attempted()).isGreaterThan(64 * 1024);
                    assertThat(e)
                            .hasMessage("spam exceeded its output limit: it wrote more than 65536 bytes on stdout");
                });
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(WasmLimits.DEFAULT_TIMEOUT);
    }

    @Test
    void limitsAreValidated() {
        assertThatThrownBy(() -> WasmLimits.defaults().withTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WasmLimits.defaults().withMaxMemoryBytes(1000))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(WasmLimits.defaults().withMaxMemoryBytes((16L << 20) + 1000).maxMemoryPages())
                .isEqualTo(256);
    }
}

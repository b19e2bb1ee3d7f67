package io.mycelium.wasm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Concurrent calls, the module cache and closing: what a long-running host (an agent, a node) relies on. */
class RuntimeLifecycleTest {
    @Test
    void concurrentCallsOnOneModuleAreIsolated() throws Exception {
        try (WasmRuntime runtime = WasmRuntime.create()) {
            WasmModule reactor = runtime.load(TestModules.bytes("reactor"), "reactor");
            CallOptions handle = CallOptions.defaults().withExport("handle");
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<JsonNode>> answers = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    JsonNode input = Json.parse("{\"i\":" + i + "}");
                    answers.add(pool.submit(() -> reactor.call(input, handle).output()));
                }
                for (int i = 0; i < answers.size(); i++) {
                    JsonNode out = answers.get(i).get();
                    assertThat(out.get("calls").asInt()).isEqualTo(1);
                    assertThat(out.get("echo").get("i").asInt()).isEqualTo(i);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void evictedModuleCanBeLoadedAgain() {
        try (WasmRuntime runtime = WasmRuntime.builder().maxModules(1).build()) {
            WasmModule echo = runtime.load(TestModules.bytes("echo"), "echo");
            runtime.load(TestModules.bytes("not_json"), "not_json");

            assertThat(runtime.loadedModules()).hasSize(1);
            assertThat(runtime.module(echo.sha256())).isEmpty();
            assertThatThrownBy(() -> echo.call(Json.parse("{}")))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("echo was unloaded");
            assertThat(runtime.load(TestModules.bytes("echo"), "echo")
                            .call(Json.parse("1"))
                            .output())
                    .isEqualTo(Json.parse("{\"echo\":1}"));
        }
    }

    @Test
    void closingTheRuntimeStopsARunningCall() throws Exception {
        WasmRuntime runtime = WasmRuntime.create();
        WasmModule loop = runtime.load(TestModules.bytes("loop"), "loop");
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            CallOptions long_ =
                    CallOptions.defaults().withLimits(WasmLimits.defaults().withTimeout(Duration.ofMinutes(5)));
            Future<WasmResult> running = pool.submit(() -> loop.call(Json.parse("{}"), long_));
            Thread.sleep(300);
            runtime.close();
            assertThatThrownBy(running::get)
                    .hasCauseInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("was cancelled");
            assertThatThrownBy(() -> runtime.load(TestModules.bytes("echo")))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("the Wasm runtime is closed");
        } finally {
            pool.shutdownNow();
            runtime.close();
        }
    }

    @Test
    void manyShortTimeoutsFireOnTime() {
        try (WasmRuntime runtime = WasmRuntime.create()) {
            WasmModule loop = runtime.load(TestModules.bytes("loop"), "loop");
            for (int ms : new int[] {50, 150, 100}) {
                CallOptions o =
                        CallOptions.defaults().withLimits(WasmLimits.defaults().withTimeout(Duration.ofMillis(ms)));
                long start = System.nanoTime();
                assertThatThrownBy(() -> loop.call(Json.parse("{}"), o)).isInstanceOf(LimitExceededException.class);
                long took = (System.nanoTime() - start) / 1_000_000;
                assertThat(took).isGreaterThanOrEqualTo(ms).isLessThan(ms + 2_000);
            }
        }
    }
}

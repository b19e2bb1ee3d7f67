package io.mycelium.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mycelium.WasmCallException;
import io.mycelium.wasm.WasmErrorCode;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The controller's Wasm failures mirror wasm-runtime's error codes by name: the worker sends those names. */
class WasmFailureNamesTest {
    @Test
    void everyRuntimeErrorCodeIsAControllerFailure() {
        assertThat(Arrays.stream(WasmCallException.Failure.values()).map(Enum::name))
                .containsAll(
                        Arrays.stream(WasmErrorCode.values()).map(Enum::name).toList());
    }
}

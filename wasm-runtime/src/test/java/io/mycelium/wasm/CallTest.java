package io.mycelium.wasm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Calls end to end: JSON in and out of command and reactor modules, exit codes, and the typed errors. */
class CallTest {
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
    void commandModuleRoundTripsJson() {
        JsonNode input =
                Json.parse("{\"name\":\"mycelium\",\"n\":[1,2.50,-3e2],\"nested\":{\"ok\":true,\"none\":null}}");

        WasmResult result = runtime.load(TestModules.bytes("echo"), "echo").call(input);

        assertThat(result.output().get("echo")).isEqualTo(input);
        assertThat(result.output().get("echo").get("n").get(1).decimalValue()).hasToString("2.50");
        assertThat(result.stderr()).isEqualTo("echo: " + JsonCodec.write(input).length + " bytes in\n");
        assertThat(result.memoryBytes()).isPositive();
    }

    @Test
    void rawJsonIsPassedAsWritten() {
        byte[] json = "  [1, \"two\", {\"3\": 3}]\n".getBytes(StandardCharsets.UTF_8);

        WasmResult result = runtime.load(TestModules.bytes("echo"), "echo").callJson(json, CallOptions.defaults());

        assertThat(result.output()).isEqualTo(Json.parse("{\"echo\":[1,\"two\",{\"3\":3}]}"));
        assertThat(result.stderr()).contains(json.length + " bytes in");
    }

    @Test
    void reactorModuleRoundTripsJsonAndKeepsNoStateBetweenCalls() {
        WasmModule module = runtime.load(TestModules.bytes("reactor"), "reactor");
        CallOptions handle = CallOptions.defaults().withExport("handle");

        JsonNode first = module.call(Json.parse("{\"a\":1}"), handle).output();
        JsonNode second = module.call(Json.parse("[\"b\"]"), handle).output();

        assertThat(module.isCommand()).isFalse();
        assertThat(first).isEqualTo(Json.parse("{\"calls\":1,\"initialized\":1,\"echo\":{\"a\":1}}"));
        assertThat(second).isEqualTo(Json.parse("{\"calls\":1,\"initialized\":1,\"echo\":[\"b\"]}"));
    }

    @Test
    void keptInstanceKeepsStateOnPurpose() {
        WasmModule module = runtime.load(TestModules.bytes("reactor"), "reactor");
        try (WasmInstance instance =
                module.instantiate(io.mycelium.wasm.capability.Grants.none(), WasmLimits.defaults())) {
            for (int i = 1; i <= 3; i++) {
                JsonNode out =
                        instance.call("handle", Json.parse("{\"i\":" + i + "}")).output();
                assertThat(out.get("calls").asInt()).isEqualTo(i);
                assertThat(out.get("echo").get("i").asInt()).isEqualTo(i);
            }
            assertThatThrownBy(() -> instance.call("fail", Json.parse("{}")))
                    .isInstanceOfSatisfying(ModuleExitedException.class, e -> {
                        assertThat(e.exitCode()).isEqualTo(3);
                        assertThat(e.stderr()).isEqualTo("fail: giving up\n");
                    });
        }
    }

    @Test
    void exitCodeIsHonoured() {
        WasmModule module = runtime.load(TestModules.bytes("exit_code"), "exit_code");

        assertThatThrownBy(() -> module.call(Json.parse("{\"status\":7}")))
                .isInstanceOfSatisfying(ModuleExitedException.class, e -> {
                    assertThat(e.code()).isEqualTo(WasmErrorCode.EXITED);
                    assertThat(e.exitCode()).isEqualTo(7);
                    assertThat(e.stdout()).isEqualTo("{\"exiting\":7}\n");
                    assertThat(e.stderr()).isEqualTo("exit_code: exiting with 7\n");
                    assertThat(e).hasMessage("exit_code exited with status 7");
                });
        // exit(0) is a success, not an error.
        assertThat(module.call(Json.parse("{\"status\":0}")).output()).isEqualTo(Json.parse("{\"exiting\":0}"));
    }

    @Test
    void inputThatIsNotJsonIsRefusedBeforeRunning() {
        WasmModule module = runtime.load(TestModules.bytes("echo"), "echo");

        for (String bad : List.of("", "   ", "{\"a\":", "{} {}", "not json", "[1,]")) {
            assertThatThrownBy(() -> module.callJson(bad.getBytes(StandardCharsets.UTF_8), CallOptions.defaults()))
                    .as("input %s", bad)
                    .isInstanceOfSatisfying(InputNotJsonException.class, e -> {
                        assertThat(e.code()).isEqualTo(WasmErrorCode.INPUT_NOT_JSON);
                        assertThat(e).hasMessageStartingWith("the input is not JSON: ");
                    });
        }
    }

    @Test
    void outputThatIsNotJsonIsAnError() {
        WasmModule module = runtime.load(TestModules.bytes("not_json"), "not_json");

        assertThatThrownBy(() -> module.call(Json.parse("{}")))
                .isInstanceOfSatisfying(OutputNotJsonException.class, e -> {
                    assertThat(e.code()).isEqualTo(WasmErrorCode.OUTPUT_NOT_JSON);
                    assertThat(e.output()).isEqualTo("hello, this is not json\n");
                    assertThat(e).hasMessageStartingWith("not_json did not write one JSON value on stdout: ");
                });
    }

    @Test
    void missingExportNamesWhatThereIs() {
        WasmModule reactor = runtime.load(TestModules.bytes("reactor"), "reactor");

        assertThatThrownBy(() ->
                        reactor.call(Json.parse("{}"), CallOptions.defaults().withExport("nope")))
                .isInstanceOfSatisfying(MissingExportException.class, e -> {
                    assertThat(e.code()).isEqualTo(WasmErrorCode.MISSING_EXPORT);
                    assertThat(e.export()).isEqualTo("nope");
                    assertThat(e.available()).contains("handle", "fail", "add");
                    assertThat(e).hasMessageContaining("reactor has no function export 'nope'");
                });
        assertThatThrownBy(() -> reactor.call(Json.parse("{}")))
                .isInstanceOf(MissingExportException.class)
                .hasMessageContaining("is a reactor module (it has no _start): name the export to call");
        assertThatThrownBy(() ->
                        reactor.call(Json.parse("{}"), CallOptions.defaults().withExport("add")))
                .isInstanceOf(MissingExportException.class)
                .hasMessageContaining("'add' has type (i32, i32) -> i32; an entry point takes no parameters");
        assertThatThrownBy(() ->
                        reactor.call(Json.parse("{}"), CallOptions.defaults().withExport("memory")))
                .isInstanceOf(MissingExportException.class);
    }

    @Test
    void trapCarriesTheWasmStack() {
        WasmModule module = runtime.load(TestModules.bytes("trap"), "trap");

        assertThatThrownBy(() -> module.call(Json.parse("{\"n\":41}")))
                .isInstanceOfSatisfying(WasmTrapException.class, e -> {
                    assertThat(e.code()).isEqualTo(WasmErrorCode.TRAP);
                    assertThat(e.reason()).containsIgnoringCase("divide by zero");
                    assertThat(e.wasmStack()).hasSizeGreaterThanOrEqualTo(3);
                    assertThat(e.wasmStack().get(0)).isEqualTo("divide_by_zero");
                    assertThat(e.wasmStack()).contains("compute", "__original_main");
                    assertThat(e).hasMessage("trap trapped: integer divide by zero (at divide_by_zero)");
                    assertThat(e.stderr()).isEqualTo("about to divide 41 by zero\n");
                });
    }

    @Test
    void stackOverflowIsATrapAndTheModuleStaysUsable() {
        WasmModule module = runtime.load(TestModules.bytes("recurse"), "recurse");

        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> module.call(Json.parse("{}")))
                    .isInstanceOfSatisfying(WasmTrapException.class, e -> {
                        assertThat(e.reason()).isEqualTo("call stack exhausted");
                        assertThat(e.wasmStack()).hasSize(65).last().asString().matches("\\.\\.\\. \\d+ more");
                    });
        }
    }

    @Test
    void theSameBytesLoadOnce() {
        WasmModule a = runtime.load(TestModules.bytes("echo"), "echo");
        WasmModule b = runtime.load(TestModules.bytes("echo"));

        assertThat(b).isSameAs(a);
        assertThat(runtime.module(a.sha256())).containsSame(a);
        assertThat(a.sha256()).hasSize(64).isEqualTo(WasmRuntime.sha256(TestModules.bytes("echo")));
    }
}

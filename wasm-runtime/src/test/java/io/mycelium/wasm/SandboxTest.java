package io.mycelium.wasm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Deny by default: no files, directories, environment or arguments unless the caller passes arguments. */
class SandboxTest {
    /** WASI errno 76: ENOTCAPABLE; 8: EBADF; 44: ENOENT. Any is fine as long as nothing opens. */
    private static final List<Integer> REFUSED = List.of(8, 44, 63, 76);

    private static WasmRuntime runtime;

    @BeforeAll
    static void start() {
        runtime = WasmRuntime.create();
    }

    @AfterAll
    static void stop() {
        runtime.close();
    }

    @Test
    void moduleSeesNoFilesNoEnvironmentAndNoArguments() {
        JsonNode seen = runtime.load(TestModules.bytes("sandbox"), "sandbox")
                .call(Json.parse("{}"))
                .output();

        assertThat(seen.get("argc").asInt()).isZero();
        assertThat(seen.get("env").asInt()).isZero();
        assertThat(seen.get("home").asBoolean()).isFalse();
        assertThat(seen.get("passwd").asInt()).isEqualTo(-1);
        assertThat(seen.get("passwdErrno").asInt()).isIn(REFUSED);
        assertThat(seen.get("cwd").asInt()).isEqualTo(-1);
        assertThat(seen.get("created").asBoolean()).isFalse();
        assertThat(seen.get("root").asBoolean()).isFalse();
    }

    @Test
    void argumentsAreExactlyTheCallersOwn() {
        JsonNode seen = runtime.load(TestModules.bytes("sandbox"), "sandbox")
                .call(Json.parse("{}"), CallOptions.defaults().withArguments(List.of("tool", "--flag")))
                .output();

        assertThat(seen.get("argc").asInt()).isEqualTo(2);
        assertThat(seen.get("argv")).isEqualTo(Json.parse("[\"tool\",\"--flag\"]"));
        assertThat(seen.get("env").asInt()).isZero();
    }
}

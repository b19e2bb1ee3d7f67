package io.mycelium.wasm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Modules the host refuses at load time, each with a message that says why. */
class InvalidModuleTest {
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
    void notWasmAtAll() {
        assertThatThrownBy(() -> runtime.load("{\"not\":\"wasm\"}".getBytes(), "text"))
                .isInstanceOfSatisfying(
                        InvalidModuleException.class, e -> assertThat(e.code()).isEqualTo(WasmErrorCode.INVALID_MODULE))
                .hasMessage("text is not a valid WebAssembly module: at byte 0: not a WebAssembly binary (no \\0asm"
                        + " magic number)");
        assertThatThrownBy(() -> runtime.load(new byte[] {0, 'a', 's', 'm'}, "short"))
                .isInstanceOf(InvalidModuleException.class)
                .hasMessageContaining("too short");
    }

    @Test
    void truncatedModule() {
        byte[] echo = TestModules.bytes("echo");

        assertThatThrownBy(() -> runtime.load(Arrays.copyOf(echo, echo.length / 2), "half"))
                .isInstanceOf(InvalidModuleException.class)
                .hasMessageStartingWith("half is not a valid WebAssembly module: at byte ");
    }

    @Test
    void wellFormedButInvalidCodeIsRejectedByTheValidator() {
        // (module (func (result i32))): the body leaves no i32 on the stack.
        byte[] invalid = {
            0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7F, 0x03, 0x02, 0x01,
            0x00, 0x0A, 0x04, 0x01, 0x02, 0x00, 0x0B
        };

        assertThatThrownBy(() -> runtime.load(invalid, "typeless"))
                .isInstanceOf(InvalidModuleException.class)
                .hasMessageStartingWith("typeless is not a valid module: ");
    }

    @Test
    void importsTheHostDoesNotProvide() {
        assertThatThrownBy(() -> runtime.load(TestModules.bytes("imports_env"), "imports_env"))
                .isInstanceOf(InvalidModuleException.class)
                .hasMessage("imports_env imports env.secret; the host provides only wasi_snapshot_preview1 and the"
                        + " capability modules mycelium:kv, mycelium:http, mycelium:messaging, mycelium:log");
        assertThatThrownBy(() -> runtime.load(TestModules.bytes("kv_wrong_type"), "kv_wrong_type"))
                .isInstanceOf(InvalidModuleException.class)
                .hasMessage("kv_wrong_type imports mycelium:kv.get with type (i32, i32) -> i32; the ABI type is"
                        + " (i32, i32, i32, i32) -> i32");
    }

    @Test
    void randomCorruptionIsAlwaysAnInvalidModuleNeverACrash() {
        byte[] original = TestModules.bytes("reactor");
        Random random = new Random(20_240_917L);
        for (int i = 0; i < 40; i++) {
            byte[] corrupt = original.clone();
            for (int k = 0; k < 1 + random.nextInt(8); k++) {
                corrupt[8 + random.nextInt(Math.min(corrupt.length - 8, 4096))] = (byte) random.nextInt(256);
            }
            try (WasmRuntime fresh = WasmRuntime.create()) {
                try {
                    WasmModule m = fresh.load(corrupt, "corrupt" + i);
                    assertThat(m.sha256()).hasSize(64); // a harmless change (a name, a constant)
                } catch (InvalidModuleException expected) {
                    assertThat(expected).hasMessageStartingWith("corrupt" + i + " ");
                }
            }
        }
    }
}

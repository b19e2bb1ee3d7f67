package io.mycelium;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Context#callWasm} through a real agent on this machine: the bundle is shipped into the agent's cache, a worker
 * process serves the calls. The modules are wasm-runtime's test modules (Maven passes their folder).
 */
class WasmCallTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Mycelium mycelium;
    private static Context context;

    @BeforeAll
    static void open() {
        mycelium = Mycelium.standalone();
        context = mycelium.open(Session.local());
    }

    @AfterAll
    static void close() {
        mycelium.close();
    }

    private static byte[] module(String name) throws IOException {
        return Files.readAllBytes(Path.of(System.getProperty("mycelium.wasm.testModules"), name + ".wasm"));
    }

    private static JsonNode call(WasmCall call) throws Exception {
        try {
            return context.callWasm(call).toCompletableFuture().get(2, TimeUnit.MINUTES);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    @Test
    void jsonRoundTrip() throws Exception {
        JsonNode input = JSON.readTree("{\"text\":\"héllo\",\"n\":[1,2.5,null,true]}");
        assertThat(call(WasmCall.of(module("echo"), input)))
                .isEqualTo(JSON.createObjectNode().set("echo", input));
    }

    @Test
    void aTightLoopStopsAtItsTimeoutAndTheNextCallSucceeds() throws Exception {
        long start = System.nanoTime();
        assertThatThrownBy(() -> call(
                        WasmCall.of(module("loop"), JSON.createObjectNode()).withTimeout(Duration.ofMillis(500))))
                .isInstanceOfSatisfying(WasmCallException.class, e -> {
                    assertThat(e.failure()).isEqualTo(WasmCallException.Failure.LIMIT_EXCEEDED);
                    assertThat(e.limit()).contains("TIME");
                    assertThat(e.getMessage()).contains("time limit of 500 ms");
                });
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(60));
        assertThat(call(WasmCall.of(module("echo"), JSON.readTree("[1]"))).toString())
                .isEqualTo("{\"echo\":[1]}");
    }

    @Test
    void anUngrantedCapabilityIsACapabilityError() {
        assertThatThrownBy(() -> call(WasmCall.of(module("kv"), JSON.createObjectNode())))
                .isInstanceOfSatisfying(WasmCallException.class, e -> {
                    assertThat(e.failure()).isEqualTo(WasmCallException.Failure.CAPABILITY_DENIED);
                    assertThat(e.getMessage()).contains("'kv' is not granted");
                });
    }

    @Test
    void memoryAndOutputLimitsHold() {
        assertThatThrownBy(() -> call(WasmCall.of(module("memory"), JSON.readTree("{\"mib\": 48}"))
                        .withMaxMemoryBytes(16L << 20)))
                .isInstanceOfSatisfying(WasmCallException.class, e -> {
                    assertThat(e.failure()).isEqualTo(WasmCallException.Failure.LIMIT_EXCEEDED);
                    assertThat(e.limit()).contains("MEMORY");
                });
        assertThatThrownBy(() -> call(WasmCall.of(module("spam"), JSON.readTree("{\"kib\": 4096}"))
                        .withMaxOutputBytes(64 << 10)))
                .isInstanceOfSatisfying(WasmCallException.class, e -> {
                    assertThat(e.failure()).isEqualTo(WasmCallException.Failure.LIMIT_EXCEEDED);
                    assertThat(e.limit()).contains("OUTPUT");
                });
    }

    @Test
    void aTrapCarriesTheWasmStack() {
        assertThatThrownBy(() -> call(WasmCall.of(module("trap"), JSON.createObjectNode())))
                .isInstanceOfSatisfying(WasmCallException.class, e -> {
                    assertThat(e.failure()).isEqualTo(WasmCallException.Failure.TRAP);
                    assertThat(e.wasmStack()).anyMatch(frame -> frame.contains("divide_by_zero"));
                    assertThat(e.stderr()).contains("about to divide");
                });
    }

    @Test
    void bytesThatAreNotAModuleAreRefused() {
        byte[] junk = "not wasm at all".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> call(WasmCall.of(junk, JSON.createObjectNode())))
                .isInstanceOfSatisfying(
                        WasmCallException.class,
                        e -> assertThat(e.failure()).isEqualTo(WasmCallException.Failure.INVALID_MODULE));
        assertThatThrownBy(() -> call(
                        WasmCall.of(module("reactor"), JSON.createObjectNode()).withExport("no_such_function")))
                .isInstanceOfSatisfying(
                        WasmCallException.class,
                        e -> assertThat(e.failure()).isEqualTo(WasmCallException.Failure.MISSING_EXPORT));
    }

    @Test
    void aModuleSentOnceIsCalledByItsDigest() throws Exception {
        byte[] echo = module("echo");
        call(WasmCall.of(echo, JSON.readTree("1")));
        String sha256 = WasmCall.of(echo, JSON.readTree("1")).sha256();
        assertThat(call(WasmCall.ofDigest(sha256, JSON.readTree("[2]"))).toString())
                .isEqualTo("{\"echo\":[2]}");
        String unknown = "0".repeat(64);
        assertThatThrownBy(() -> call(WasmCall.ofDigest(unknown, JSON.readTree("1"))))
                .isInstanceOfSatisfying(WasmCallException.class, e -> {
                    assertThat(e.failure()).isEqualTo(WasmCallException.Failure.INVALID_MODULE);
                    assertThat(e.getMessage()).contains(unknown);
                });
        assertThatThrownBy(() -> WasmCall.ofDigest("not-a-digest", JSON.readTree("1")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void concurrentCallsAllAnswerWithTheirOwnInput() throws Exception {
        byte[] echo = module("echo");
        List<CompletableFuture<JsonNode>> calls = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            calls.add(context.callWasm(WasmCall.of(echo, JSON.createObjectNode().put("i", i)))
                    .toCompletableFuture());
        }
        for (int i = 0; i < calls.size(); i++) {
            assertThat(calls.get(i)
                            .get(2, TimeUnit.MINUTES)
                            .path("echo")
                            .path("i")
                            .asInt())
                    .isEqualTo(i);
        }
    }

    @Test
    void theBundleDigestIsTheOneTheHostComputes(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("a/b"));
        Files.writeString(dir.resolve("a/b/x.jar"), "x");
        Files.writeString(dir.resolve("Z.jar"), "zz");
        Files.writeString(dir.resolve("a/_y"), "y");
        Process shell = new ProcessBuilder(
                        "sh",
                        "-c",
                        "(cd \"$1\" && find . -type f | LC_ALL=C sort | xargs sha256sum) | sha256sum",
                        "sh",
                        dir.toString())
                .start();
        String expected = new String(shell.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split(" ")[0];
        assertThat(shell.waitFor()).isZero();
        assertThat(WasmBundle.treeDigest(dir)).isEqualTo(expected);
    }
}

package io.mycelium;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mycelium.testhosts.RequiresDocker;
import io.mycelium.testhosts.TestHost;
import io.mycelium.testhosts.TestHostImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link Context#callWasm} on a host whose agent runs on Java 17, too old for GraalWasm: the controller ships its
 * Java runtime next to the Wasm bundle, into the host's cache, and a second connection finds both there.
 */
@RequiresDocker
class SshWasmIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aJava17HostGetsTheShippedRuntimeAndKeepsItForTheNextConnection() throws Exception {
        byte[] echo = Files.readAllBytes(Path.of(System.getProperty("mycelium.wasm.testModules"), "echo.wasm"));
        try (TestHost host = TestHost.start(TestHostImage.DEBIAN_MIN)) {
            for (int connection = 1; connection <= 2; connection++) {
                try (Mycelium mycelium = Mycelium.standalone()) {
                    Context context = mycelium.open(SshHosts.session(host).build());
                    assertThat(context.ensureAgent()
                                    .toCompletableFuture()
                                    .get(2, TimeUnit.MINUTES)
                                    .javaVersion())
                            .startsWith("17");
                    var output = context.callWasm(
                                    WasmCall.of(echo, JSON.readTree("{\"connection\":" + connection + "}")))
                            .toCompletableFuture()
                            .get(3, TimeUnit.MINUTES);
                    assertThat(output.toString()).isEqualTo("{\"echo\":{\"connection\":" + connection + "}}");
                }
            }
            String cache =
                    host.exec("sh", "-c", "ls /home/mycelium/.cache/mycelium").stdout();
            assertThat(cache).contains("runtime-").contains("wasm-lib-").contains("graal-compiler-");
            assertThat(cache.lines().filter(l -> l.startsWith("wasm-lib-")).count())
                    .isEqualTo(1);
        }
    }
}

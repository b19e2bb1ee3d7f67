package io.mycelium;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import io.mycelium.testhosts.RequiresDocker;
import io.mycelium.testhosts.TestHost;
import io.mycelium.testhosts.TestHostImage;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Context#callJson} on an SSH test host with Java 17: the worker runs on the host's own Java. */
@RequiresDocker
class SshFunctionIT extends FunctionCallContract {
    @TempDir
    static Path dir;

    static FunctionRegistry registry;
    static TestHost host;
    static TestHost noJava;

    @BeforeAll
    static void start() throws Exception {
        registry = TestFunctions.registry(dir);
        host = TestHost.start(TestHostImage.DEBIAN_MIN);
        noJava = TestHost.start(TestHostImage.NOJAVA);
    }

    @AfterAll
    static void stop() {
        for (TestHost h : new TestHost[] {noJava, host}) {
            if (h != null) {
                h.close();
            }
        }
    }

    @Override
    Mycelium mycelium() {
        return Mycelium.standalone().functions(registry);
    }

    @Override
    Session session() {
        return SshHosts.session(host).build();
    }

    @Override
    int hostJava() {
        return 17;
    }

    /** The worker runs on the runtime shipped for the agent (java.base and jdk.unsupported): Jackson needs no more. */
    @Test
    void aHostWithoutJavaRunsFunctionsOnTheShippedRuntime() throws Exception {
        try (Mycelium mycelium = mycelium()) {
            Context context = mycelium.open(SshHosts.session(noJava).build());
            JsonNode out = call(context, "echo", "{\"a\":[1,{\"b\":null}]}");
            assertThat(out.path("echo")).isEqualTo(JSON.readTree("{\"a\":[1,{\"b\":null}]}"));
            FunctionCallException e = assertThrows(FunctionCallException.class, () -> call(context, "fail", "{}"));
            assertThat(e.remoteStackTrace()).isNotEmpty();
        }
    }
}

package io.mycelium;

import io.mycelium.testhosts.RequiresDocker;
import io.mycelium.testhosts.TestHost;
import io.mycelium.testhosts.TestHostImage;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** {@link Context#callJson} on an SSH test host with Java 17: the worker runs on the host's own Java. */
@RequiresDocker
class SshFunctionIT extends FunctionCallContract {
    @TempDir
    static Path dir;

    static FunctionRegistry registry;
    static TestHost host;

    @BeforeAll
    static void start() throws Exception {
        registry = TestFunctions.registry(dir);
        host = TestHost.start(TestHostImage.DEBIAN_MIN);
    }

    @AfterAll
    static void stop() {
        if (host != null) {
            host.close();
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
}

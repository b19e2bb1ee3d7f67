package io.mycelium;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mycelium.testhosts.RequiresDocker;
import io.mycelium.testhosts.TestHost;
import io.mycelium.testhosts.TestHostImage;
import io.mycelium.wire.ErrorCode;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A runtime cached on a host with a writable disk is reused, and refused once someone changed it. */
@RequiresDocker
class SshIntegrityIT {
    @Test
    void cachedRuntimeIsReusedAndATamperedOneIsRefusedByName() throws Exception {
        try (TestHost host = TestHost.start(TestHostImage.NOJAVA)) {
            Session session = SshHosts.session(host).build();
            try (Mycelium first = Mycelium.standalone()) {
                AgentInfo shipped =
                        first.open(session).ensureAgent().toCompletableFuture().get(120, TimeUnit.SECONDS);
                assertThat(shipped.loadPath())
                        .contains("shipped Java")
                        .contains("/.cache/mycelium/runtime-")
                        .contains("(cached)");
            }
            try (Mycelium second = Mycelium.standalone()) {
                AgentInfo cached =
                        second.open(session).ensureAgent().toCompletableFuture().get(60, TimeUnit.SECONDS);
                assertThat(cached.loadPath()).contains("cached at /home/mycelium/.cache/mycelium/runtime-");
            }
            TestHost.CommandResult tamper = host.execAs(
                    "mycelium",
                    "sh",
                    "-c",
                    "f=$(echo /home/mycelium/.cache/mycelium/runtime-*/release); chmod u+w $f && echo tampered >> $f");
            assertThat(tamper.exitCode()).isZero();
            try (Mycelium third = Mycelium.standalone()) {
                ExecutionException e = assertThrows(
                        ExecutionException.class,
                        () -> third.open(session)
                                .ensureAgent()
                                .toCompletableFuture()
                                .get(60, TimeUnit.SECONDS));
                assertThat(e.getCause()).isInstanceOf(BootstrapException.class);
                assertThat(((MyceliumException) e.getCause()).code()).isEqualTo(ErrorCode.BOOTSTRAP_FAILED);
                assertThat(e.getCause().getMessage())
                        .contains("/home/mycelium/.cache/mycelium/runtime-")
                        .contains("differs from the one shipped")
                        .contains("mycelium cache clear");
            }
            host.execAs("mycelium", "rm", "-rf", "/home/mycelium/.cache/mycelium");
            try (Mycelium fourth = Mycelium.standalone()) {
                AgentInfo again =
                        fourth.open(session).ensureAgent().toCompletableFuture().get(120, TimeUnit.SECONDS);
                assertThat(again.loadPath()).contains("shipped Java").contains("(cached)");
            }
        }
    }
}

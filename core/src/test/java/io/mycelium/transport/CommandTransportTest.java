package io.mycelium.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mycelium.bootstrap.BootstrapPlan;
import io.mycelium.wire.ErrorCode;
import io.mycelium.wire.OperationFailedException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Stage 1 through a local shell that misbehaves the way real hosts do: too slow, or missing tools. */
class CommandTransportTest {
    private static final CommandTransport.Options QUICK =
            new CommandTransport.Options(BootstrapPlan.JarPlacement.AUTO, null, false, Duration.ofSeconds(1));

    @Test
    void slowHostIsABootstrapTimeoutNamingTheHost() {
        CommandTransport slow = new CommandTransport(
                "sh://slow",
                "slow-host",
                List.of("/bin/sh", "-c", "sleep 30; eval \"$1\"", "sh"),
                QUICK,
                OpenSsh::classify);
        long start = System.nanoTime();
        OperationFailedException e = assertThrows(OperationFailedException.class, slow::open);
        assertThat(e.code()).isEqualTo(ErrorCode.BOOTSTRAP_TIMEOUT);
        assertThat(e.getMessage()).contains("slow-host").contains("took longer than PT1S");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void hostWithoutTheToolsStageOneNeedsSaysWhichAreNeeded() {
        CommandTransport bare = new CommandTransport(
                "sh://bare",
                "bare-host",
                List.of("/usr/bin/env", "PATH=/nonexistent", "/bin/sh", "-c"),
                QUICK,
                OpenSsh::classify);
        OperationFailedException e = assertThrows(OperationFailedException.class, bare::open);
        assertThat(e.code()).isEqualTo(ErrorCode.BOOTSTRAP_FAILED);
        assertThat(e.getMessage()).contains("bare-host").contains("base64").contains("lacks a tool");
    }
}

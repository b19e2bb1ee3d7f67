package io.mycelium;

import static org.assertj.core.api.Assertions.assertThat;

import io.mycelium.bootstrap.BootstrapPlan.JarPlacement;
import io.mycelium.transport.CommandTransport;
import io.mycelium.wire.ErrorCode;
import io.mycelium.wire.OperationFailedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Stage 1 on this machine through {@code /bin/sh -c}: the exact bootstrap an SSH host gets, minus SSH. Every jar
 * placement is forced in turn (the macOS way included), and none leaves a file behind.
 */
class Stage1LocalTest {
    @ParameterizedTest
    @EnumSource(JarPlacement.class)
    void everyPlacementStartsTheAgentAndLeavesNothing(JarPlacement placement) throws Exception {
        List<String> before = ours();
        CommandTransport.Options options = new CommandTransport.Options(placement, null, false, Duration.ofSeconds(60));
        try (Mycelium mycelium = Mycelium.standalone()) {
            Context context = mycelium.open(Session.over("sh-" + placement, CommandTransport.localShell(options)));
            AgentInfo info = context.ensureAgent().toCompletableFuture().get(60, TimeUnit.SECONDS);
            switch (placement) {
                case AUTO, MEMFD -> assertThat(info.loadPath()).startsWith("memfd");
                case DEV_SHM -> assertThat(info.loadPath()).startsWith("/dev/shm ");
                case TMPDIR, TMP -> assertThat(info.loadPath()).startsWith("/tmp ");
            }
            assertThat(info.loadPath()).contains("host Java");
            assertThat(context.procExec("echo", "hello")
                            .get(30, TimeUnit.SECONDS)
                            .stdoutText())
                    .isEqualTo("hello\n");
            assertThat(ours()).as("files of ours while the agent runs").isEqualTo(before);
        }
        assertThat(ours()).isEqualTo(before);
    }

    @Test
    void bannerBeforeStage1IsSkippedAndReported() throws Exception {
        CommandTransport.Options options =
                new CommandTransport.Options(JarPlacement.AUTO, null, false, Duration.ofSeconds(60));
        // A login shell that greets before running the command, as a motd or a chatty .bashrc would.
        CommandTransport chatty = new CommandTransport(
                "sh://chatty",
                "chatty",
                List.of("/bin/sh", "-c", "echo 'Welcome to chatty!'; echo 'Last login: never'; eval \"$1\"", "sh"),
                options,
                (host, exit, stderr) -> new OperationFailedException(ErrorCode.BOOTSTRAP_FAILED, stderr, null));
        try (Mycelium mycelium = Mycelium.standalone()) {
            Context context = mycelium.open(Session.over("chatty", chatty));
            AgentInfo info = context.ensureAgent().toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertThat(info.hostBanner()).isEqualTo("Welcome to chatty!\nLast login: never");
            assertThat(context.procExec("echo", "ok").get(30, TimeUnit.SECONDS).stdoutText())
                    .isEqualTo("ok\n");
        }
    }

    /** Everything named like ours in the places stage 1 may write. */
    private static List<String> ours() throws IOException {
        String home = System.getProperty("user.home");
        List<String> found = new ArrayList<>();
        for (String dir : List.of("/dev/shm", "/tmp", home, home + "/.cache")) {
            Path d = Path.of(dir);
            if (Files.isDirectory(d)) {
                try (Stream<Path> files = Files.list(d)) {
                    files.map(p -> p.getFileName().toString())
                            .filter(n -> n.contains("mycelium-agent") || n.contains("mycelium-probe"))
                            .forEach(found::add);
                }
            }
        }
        return found;
    }
}

package io.mycelium;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mycelium.bootstrap.AgentJvm;
import io.mycelium.transport.AgentJar;
import io.mycelium.transport.AgentLink;
import io.mycelium.transport.ProcessLink;
import io.mycelium.transport.Transport;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Permission errors from a real agent running as an unprivileged user ({@code nobody}, through util-linux's
 * setpriv), since root is refused nothing.
 */
class UnprivilegedAgentTest {
    @TempDir
    Path dir;

    @Test
    void refusedAccessIsPermissionDenied() throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        boolean setpriv = Files.isExecutable(Path.of("/usr/bin/setpriv"));
        // As another user the plain local agent already lacks the rights this test takes away.
        assumeTrue(root && setpriv, "needs root and setpriv to start an agent as nobody");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path jar = AgentJar.embedded().materialize(dir.resolve("jar"));
        Files.setPosixFilePermissions(jar.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
        Path secret = Files.writeString(dir.resolve("secret"), "root only");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));

        try (Mycelium mycelium = Mycelium.standalone()) {
            Context nobody = mycelium.open(Session.over("nobody", new AsNobody(jar)));
            ExecResult whoami = nobody.procExec("id", "-un").get(30, TimeUnit.SECONDS);
            assertThat(whoami.stdoutText().trim()).isEqualTo("nobody");

            ExecutionException get = assertThrows(
                    ExecutionException.class,
                    () -> nobody.get(secret.toString(), dir.resolve("copy"))
                            .toCompletableFuture()
                            .get(30, TimeUnit.SECONDS));
            assertThat(get.getCause()).isInstanceOf(PermissionDeniedException.class);
            assertThat(get.getCause().getMessage()).contains(secret.toString()).contains("permission denied");

            ExecutionException put = assertThrows(
                    ExecutionException.class,
                    () -> nobody.put(secret.getParent().resolve("jar"), "/root/mycelium-should-not-exist")
                            .toCompletableFuture()
                            .get(30, TimeUnit.SECONDS));
            assertThat(put.getCause()).isInstanceOf(PermissionDeniedException.class);
            assertThat(Path.of("/root/mycelium-should-not-exist")).doesNotExist();
        }
    }

    /** The local agent, started through {@code setpriv} as nobody. */
    private record AsNobody(Path jar) implements Transport {
        @Override
        public String describe() {
            return "local as nobody";
        }

        @Override
        public AgentLink open() throws IOException {
            List<String> command = new ArrayList<>(List.of(
                    "/usr/bin/setpriv",
                    "--reuid=nobody",
                    "--regid=nogroup",
                    "--clear-groups",
                    Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            command.addAll(AgentJvm.flagsFor(Runtime.version().feature()));
            command.addAll(List.of("-cp", jar.toString(), "io.mycelium.agent.AgentMain"));
            Process process = new ProcessBuilder(command)
                    .directory(new File("/"))
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            return new ProcessLink(process, "setpriv");
        }
    }
}

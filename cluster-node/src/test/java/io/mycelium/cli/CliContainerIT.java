package io.mycelium.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mycelium.testhosts.RequiresDocker;
import io.mycelium.testhosts.TestHost;
import io.mycelium.testhosts.TestHostImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mycelium exec|put|get --docker CONTAINER}: the agent runs inside a running container without Java. */
@RequiresDocker
class CliContainerIT {
    static TestHost container;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        container = TestHost.start(TestHostImage.NOJAVA);
    }

    @AfterAll
    static void stop() {
        if (container != null) {
            container.close();
        }
    }

    @Test
    void execPutAndGetInADockerContainer() throws Exception {
        String id = container.containerId();
        Cli.Result exec = Cli.run("exec", "--docker", id, "--container-user", TestHost.USER, "--", "id", "-un");
        assertThat(exec.exitCode()).as(exec.stderr()).isZero();
        assertThat(exec.stdoutText()).isEqualTo(TestHost.USER + "\n");

        byte[] data = new byte[256 * 1024];
        new Random(7).nextBytes(data);
        Path up = Files.write(dir.resolve("up.bin"), data);
        Cli.Result put = Cli.run("put", "--docker", id, up.toString(), "/tmp/cli-up.bin");
        assertThat(put.exitCode()).as(put.stderr()).isZero();
        Path down = dir.resolve("down.bin");
        Cli.Result get = Cli.run("get", "--docker", id, "/tmp/cli-up.bin", down.toString());
        assertThat(get.exitCode()).as(get.stderr()).isZero();
        assertThat(Files.readAllBytes(down)).isEqualTo(data);
    }

    @Test
    void aMissingContainerIsAClearError() throws Exception {
        Cli.Result r = Cli.run("exec", "--docker", "mycelium-no-such-container", "--", "true");
        assertThat(r.exitCode()).isEqualTo(ErrorReporter.MYCELIUM_FAILED);
        assertThat(r.stderr()).contains("No such container").contains("check the name");
    }

    @Test
    void containerOptionsNeedAContainer() throws Exception {
        Cli.Result r = Cli.run("exec", "--local", "--namespace", "prod", "--", "true");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.stderr()).contains("need --docker, --podman or --kubectl");
        Cli.Result ssh = Cli.run("exec", "--docker", "c", "--ssh-option", "BindAddress=127.0.0.2", "--", "true");
        assertThat(ssh.exitCode()).isNotZero();
        assertThat(ssh.stderr()).contains("--ssh-option applies to --host");
    }
}

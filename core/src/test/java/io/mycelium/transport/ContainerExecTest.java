package io.mycelium.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mycelium.wire.ErrorCode;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContainerExecTest {
    private static final ContainerExec.Target DOCKER =
            new ContainerExec.Target(ContainerExec.Engine.DOCKER, null, "web", "app", null, null);
    private static final ContainerExec.Target KUBECTL =
            new ContainerExec.Target(ContainerExec.Engine.KUBECTL, "/opt/kubectl", "api-0", null, "prod", "api");

    @Test
    void commandsFollowEachEnginesArguments() {
        assertThat(ContainerExec.command(DOCKER))
                .containsExactly("docker", "exec", "-i", "-u", "app", "web", "/bin/sh", "-c");
        assertThat(ContainerExec.command(KUBECTL))
                .containsExactly(
                        "/opt/kubectl", "exec", "-i", "-n", "prod", "-c", "api", "api-0", "--", "/bin/sh", "-c");
        assertThat(ContainerExec.command(
                        new ContainerExec.Target(ContainerExec.Engine.PODMAN, null, "db", null, null, null)))
                .isEqualTo(List.of("podman", "exec", "-i", "db", "/bin/sh", "-c"));
        assertThat(DOCKER.describe()).isEqualTo("docker://app@web");
        assertThat(KUBECTL.describe()).isEqualTo("kubectl://prod/api-0/api");
    }

    @Test
    void namesThatLookLikeOptionsOrBelongToAnotherEngineAreRefused() {
        assertThrows(
                IllegalArgumentException.class,
                () -> new ContainerExec.Target(ContainerExec.Engine.DOCKER, null, "--privileged", null, null, null));
        assertThrows(
                IllegalArgumentException.class,
                () -> new ContainerExec.Target(ContainerExec.Engine.DOCKER, null, "a b", null, null, null));
        assertThrows(
                IllegalArgumentException.class,
                () -> new ContainerExec.Target(ContainerExec.Engine.KUBECTL, null, "pod", "root", null, null));
        assertThrows(
                IllegalArgumentException.class,
                () -> new ContainerExec.Target(ContainerExec.Engine.DOCKER, null, "c", null, "prod", null));
    }

    @Test
    void failuresAreClassified() {
        assertThat(code(DOCKER, 1, "Error response from daemon: No such container: web"))
                .isEqualTo(ErrorCode.UNKNOWN_HOST);
        assertThat(code(KUBECTL, 1, "Error from server (NotFound): pods \"api-0\" not found"))
                .isEqualTo(ErrorCode.UNKNOWN_HOST);
        assertThat(code(DOCKER, 1, "Error response from daemon: Container 0255 is not running"))
                .isEqualTo(ErrorCode.CONNECTION_REFUSED);
        assertThat(code(
                        DOCKER,
                        1,
                        "permission denied while trying to connect to the Docker daemon socket at"
                                + " unix:///var/run/docker.sock"))
                .isEqualTo(ErrorCode.PERMISSION_DENIED);
        assertThat(code(KUBECTL, 1, "Error from server (Forbidden): pods \"api-0\" is forbidden"))
                .isEqualTo(ErrorCode.PERMISSION_DENIED);
        assertThat(code(DOCKER, 1, "Cannot connect to the Docker daemon at unix:///x. Is the docker daemon running?"))
                .isEqualTo(ErrorCode.CONNECTION_REFUSED);
        assertThat(code(DOCKER, 127, "Cannot run program \"docker\": error=2, No such file or directory"))
                .isEqualTo(ErrorCode.BOOTSTRAP_FAILED);
        assertThat(ContainerExec.classify(DOCKER, "web", 127, "Cannot run program \"docker\"")
                        .getMessage())
                .contains("program was not found");
        assertThat(ContainerExec.classify(
                                DOCKER,
                                "web",
                                126,
                                "OCI runtime exec failed: exec: \"/bin/sh\": stat /bin/sh: no such"
                                        + " file or directory")
                        .getMessage())
                .contains("lacks a tool");
    }

    private static ErrorCode code(ContainerExec.Target target, int exit, String stderr) {
        return ContainerExec.classify(target, target.describe(), exit, stderr).code();
    }
}

package io.mycelium;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mycelium.testhosts.RequiresDocker;
import io.mycelium.testhosts.TestHost;
import io.mycelium.testhosts.TestHostImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agents inside running containers, reached with {@code docker exec -i} from this machine and from a parent agent, and
 * with {@code kubectl exec -i}. No Kubernetes is reachable here: the kubectl path runs against a kubectl-compatible
 * script that maps {@code kubectl exec -i [-n NS] [-c C] POD -- CMD} onto {@code docker exec -i POD CMD}, so what is
 * tested is the argument form and the bootstrap over it, not a cluster.
 */
@RequiresDocker
class ContainerIT {
    static TestHost withJava;
    static TestHost noJava;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        withJava = TestHost.start(TestHostImage.DEBIAN_MIN);
        noJava = TestHost.start(TestHostImage.NOJAVA);
    }

    @AfterAll
    static void stop() {
        for (TestHost host : new TestHost[] {noJava, withJava}) {
            if (host != null) {
                host.close();
            }
        }
    }

    @Test
    void execStdinAndEveryByteValueInADockerContainer() throws Exception {
        try (Mycelium mycelium = Mycelium.standalone()) {
            Context context =
                    mycelium.open(Session.docker(withJava.containerId()).build());
            ExecResult r = context.procExec(
                            List.of("sh", "-c", "cat; printf \"$(printf '\\\\%03o' $(seq 0 255))\""),
                            ExecOptions.defaults().withStdin("in\n".getBytes()))
                    .get(120, TimeUnit.SECONDS);
            byte[] out = r.stdout();
            assertThat(new String(out, 0, 3)).isEqualTo("in\n");
            assertThat(out).hasSize(3 + 256);
            for (int i = 0; i < 256; i++) {
                assertThat(out[3 + i] & 0xFF).isEqualTo(i);
            }
            // It runs inside the container: its /etc/hostname (the container's id), not this machine's.
            assertThat(context.procExec("cat", "/etc/hostname")
                            .get(30, TimeUnit.SECONDS)
                            .stdoutText())
                    .isEqualTo(withJava.exec("cat", "/etc/hostname").stdout());
            AgentInfo info = context.ensureAgent().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(withJava.exec("sh", "-c", "kill -0 " + info.pid() + " && echo alive")
                            .stdout())
                    .isEqualTo("alive\n");
        }
    }

    @Test
    void putAndGetKeepEveryByte() throws Exception {
        byte[] data = new byte[3 * 1024 * 1024 + 17];
        new Random(6).nextBytes(data);
        Path source = Files.write(dir.resolve("up.bin"), data);
        Path back = dir.resolve("down.bin");
        try (Mycelium mycelium = Mycelium.standalone()) {
            Context context = mycelium.open(
                    Session.docker(withJava.containerId()).user(TestHost.USER).build());
            context.put(source, "/tmp/up.bin").get(120, TimeUnit.SECONDS);
            assertThat(withJava.exec("stat", "-c", "%s %U", "/tmp/up.bin").stdout())
                    .isEqualTo(data.length + " " + TestHost.USER + "\n");
            context.get("/tmp/up.bin", back).get(120, TimeUnit.SECONDS);
            assertThat(Files.readAllBytes(back)).isEqualTo(data);
            assertThat(context.procExec("id", "-un").get(30, TimeUnit.SECONDS).stdoutText())
                    .isEqualTo(TestHost.USER + "\n");
        }
    }

    @Test
    void aContainerWithoutJavaGetsTheRuntime() throws Exception {
        try (Mycelium mycelium = Mycelium.standalone()) {
            Context context = mycelium.open(Session.docker(noJava.containerId()).build());
            AgentInfo info = context.ensureAgent().toCompletableFuture().get(180, TimeUnit.SECONDS);
            assertThat(info.loadPath()).contains("shipped");
            assertThat(noJava.exec("sh", "-c", "command -v java || echo none").stdout())
                    .isEqualTo("none\n");
            assertThat(context.procExec("echo", "up").get(60, TimeUnit.SECONDS).stdoutText())
                    .isEqualTo("up\n");
        }
    }

    @Test
    void kubectlExecThroughACompatibleScript() throws Exception {
        Path calls = dir.resolve("kubectl-calls");
        Path kubectl = script(
                "kubectl",
                "#!/bin/sh\n"
                        + "# kubectl-compatible for tests: kubectl exec -i [-n NS] [-c C] POD -- CMD -> docker exec\n"
                        + "echo \"$*\" | cut -c1-120 >> " + calls + "\n"
                        + "[ \"$1\" = exec ] || { echo 'error: unknown command' >&2; exit 1; }\n"
                        + "shift\n"
                        + "pod=\n"
                        + "while [ $# -gt 0 ]; do\n"
                        + "  case \"$1\" in\n"
                        + "    -i) shift ;;\n"
                        + "    -n|-c) shift 2 ;;\n"
                        + "    --) shift; break ;;\n"
                        + "    *) pod=$1; shift ;;\n"
                        + "  esac\n"
                        + "done\n"
                        + "exec docker exec -i \"$pod\" \"$@\"\n");
        try (Mycelium mycelium = Mycelium.standalone()) {
            Context context = mycelium.open(Session.kubectl(withJava.containerId())
                    .namespace("prod")
                    .container("app")
                    .binary(kubectl.toString())
                    .build());
            assertThat(context.name()).isEqualTo("kubectl://prod/" + withJava.containerId() + "/app");
            assertThat(context.procExec("echo", "from the pod")
                            .get(120, TimeUnit.SECONDS)
                            .stdoutText())
                    .isEqualTo("from the pod\n");
            assertThat(Files.readString(calls))
                    .startsWith("exec -i -n prod -c app " + withJava.containerId() + " -- /bin/sh -c");
        }
    }

    @Test
    void dockerExecStartedByAParentAgent() throws Exception {
        try (Mycelium mycelium = Mycelium.standalone()) {
            Session parent = Session.local();
            Context context = mycelium.open(
                    Session.docker(withJava.containerId()).via(parent).build());
            assertThat(context.procExec("cat", "/etc/hostname")
                            .get(120, TimeUnit.SECONDS)
                            .stdoutText())
                    .isEqualTo(withJava.exec("cat", "/etc/hostname").stdout());
            AgentInfo info = context.ensureAgent().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(info.loadPath()).endsWith("via " + parent.name());
            // This JVM runs no docker client: the parent agent does.
            long parentPid = mycelium.open(parent)
                    .ensureAgent()
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS)
                    .pid();
            assertThat(ProcessHandle.current()
                            .children()
                            .map(ProcessHandle::pid)
                            .toList())
                    .containsExactly(parentPid);
        }
    }

    @Test
    void clearErrors() throws Exception {
        Path denied = script(
                "docker-as-nobody",
                "#!/bin/sh\nexec setpriv --reuid=65534 --regid=65534 --clear-groups" + " docker \"$@\"\n");
        try (Mycelium mycelium = Mycelium.standalone()) {
            assertThat(failure(
                            mycelium,
                            Session.docker("mycelium-no-such-container").build()))
                    .isInstanceOf(HostUnreachableException.class)
                    .hasMessageContaining("No such container")
                    .hasMessageContaining("check the name");
            assertThat(failure(
                            mycelium,
                            Session.docker("c").binary("/nonexistent/docker").build()))
                    .isInstanceOf(BootstrapException.class)
                    .hasMessageContaining("program was not found");
            assertThat(failure(
                            mycelium,
                            Session.docker("c")
                                    .binary("/nonexistent/docker")
                                    .via(Session.local())
                                    .build()))
                    .isInstanceOf(BootstrapException.class)
                    .hasMessageContaining("program was not found")
                    .hasMessageContaining("on hop local");
            assertThat(failure(
                            mycelium,
                            Session.docker(withJava.containerId())
                                    .binary(denied.toString())
                                    .build()))
                    .isInstanceOf(PermissionDeniedException.class)
                    .hasMessageContaining("may not use");

            TestHost stopped = TestHost.start(TestHostImage.NOJAVA);
            try {
                stopped.pause();
                assertThat(failure(
                                mycelium, Session.docker(stopped.containerId()).build()))
                        .isInstanceOf(HostUnreachableException.class)
                        .hasMessageContaining("is not running");
            } finally {
                stopped.unpause();
                stopped.close();
            }
        }
    }

    private static Throwable failure(Mycelium mycelium, Session session) {
        ExecutionException e = assertThrows(
                ExecutionException.class,
                () -> mycelium.open(session).ensureAgent().toCompletableFuture().get(60, TimeUnit.SECONDS));
        return e.getCause();
    }

    private static Path script(String name, String text) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }
}

package io.mycelium;

import static org.assertj.core.api.Assertions.assertThat;

import io.mycelium.testhosts.RequiresDocker;
import io.mycelium.testhosts.TestHost;
import io.mycelium.testhosts.TestHostImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code docker exec} run by a remote agent: an SSH test host gets this machine's docker client (the images carry
 * none) and reaches the Docker engine through a loopback TCP relay to its socket that this test runs (the containers
 * share this machine's network; the socket itself is not mounted into them). The container context's agent is then
 * started by the SSH host's agent, exactly as on a real remote Docker host.
 */
@RequiresDocker
class SshContainerViaIT {
    static TestHost dockerHost;
    static TestHost container;
    static ServerSocket relay;
    static final AtomicInteger relayed = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        dockerHost = TestHost.start(TestHostImage.DEBIAN_MIN);
        container = TestHost.start(TestHostImage.NOJAVA);
        relay = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(SshContainerViaIT::relay, "docker-relay");
        accept.setDaemon(true);
        accept.start();
        Process cp = new ProcessBuilder(
                        "docker", "cp", "/usr/local/bin/docker", dockerHost.containerId() + ":/usr/local/bin/docker")
                .redirectErrorStream(true)
                .start();
        String said = new String(cp.getInputStream().readAllBytes());
        assertThat(cp.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(cp.exitValue()).as(said).isZero();
        TestHost.CommandResult wrapper = dockerHost.exec(
                "sh",
                "-c",
                "printf '#!/bin/sh\\nDOCKER_HOST=tcp://127.0.0.1:%s exec /usr/local/bin/docker \"$@\"\\n' \"$0\""
                        + " > /usr/local/bin/docker-relayed && chmod 755 /usr/local/bin/docker-relayed",
                Integer.toString(relay.getLocalPort()));
        assertThat(wrapper.exitCode()).as(wrapper.stderr()).isZero();
    }

    @AfterAll
    static void stop() throws IOException {
        if (relay != null) {
            relay.close();
        }
        for (TestHost host : new TestHost[] {container, dockerHost}) {
            if (host != null) {
                host.close();
            }
        }
    }

    /** Accepts loopback connections and joins each to the Docker engine's socket, until closed. */
    private static void relay() {
        while (!relay.isClosed()) {
            try {
                Socket client = relay.accept();
                SocketChannel engine = SocketChannel.open(UnixDomainSocketAddress.of(Path.of("/var/run/docker.sock")));
                relayed.incrementAndGet();
                pump(client.getInputStream(), Channels.newOutputStream(engine), engine, client);
                pump(Channels.newInputStream(engine), client.getOutputStream(), engine, client);
            } catch (IOException closed) {
                return;
            }
        }
    }

    private static void pump(InputStream in, OutputStream out, SocketChannel engine, Socket client) {
        Thread thread = new Thread(
                () -> {
                    try (engine;
                            client) {
                        in.transferTo(out);
                    } catch (IOException ended) {
                        // One side closed: both go.
                    }
                },
                "docker-relay-pump");
        thread.setDaemon(true);
        thread.start();
    }

    @Test
    void aRemoteAgentRunsDockerExecOnItsHost() throws Exception {
        try (Mycelium mycelium = Mycelium.standalone()) {
            Session host = SshHosts.session(dockerHost).build();
            Context context = mycelium.open(Session.docker(container.containerId())
                    .binary("/usr/local/bin/docker-relayed")
                    .via(host)
                    .build());
            AgentInfo info = context.ensureAgent().toCompletableFuture().get(180, TimeUnit.SECONDS);
            assertThat(info.loadPath()).contains("shipped").endsWith("via " + host.name());
            assertThat(context.procExec("cat", "/etc/hostname")
                            .get(60, TimeUnit.SECONDS)
                            .stdoutText())
                    .isEqualTo(container.exec("cat", "/etc/hostname").stdout());
            // The docker client that reached the engine ran on the SSH host: this JVM started only ssh.
            assertThat(relayed.get()).isPositive();
            assertThat(ProcessHandle.current()
                            .children()
                            .map(p -> p.info().command().orElse(""))
                            .toList())
                    .allMatch(command -> command.endsWith("/ssh"));
        }
    }
}

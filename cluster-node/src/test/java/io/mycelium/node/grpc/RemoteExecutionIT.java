package io.mycelium.node.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.mycelium.api.identity.BearerTokens;
import io.mycelium.node.Node;
import io.mycelium.node.grpc.v1.ExecEvent;
import io.mycelium.node.grpc.v1.ExecId;
import io.mycelium.node.grpc.v1.ExecRequest;
import io.mycelium.node.grpc.v1.ExecResponse;
import io.mycelium.node.grpc.v1.ExecStatusReply;
import io.mycelium.node.grpc.v1.InteractiveInput;
import io.mycelium.node.grpc.v1.RemoteExecutionClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.grpc.GrpcClientSettings;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real node and a real pekko-grpc client (Netty, HTTP/2 in plain text) on loopback, on the admin port: unary,
 * streamed and interactive calls, cancel and status, and the same identity and policy rules as the HTTP API.
 */
class RemoteExecutionIT {
    private static final String USER = System.getProperty("user.name");

    @TempDir
    Path dataDir;

    private Node node;
    private ActorSystem<Void> clientSystem;
    private RemoteExecutionClient client;

    private void start(String extra) throws Exception {
        Config config = ConfigFactory.parseString(extra + "\nmycelium.node.http.plaintext-http2 = on")
                .withFallback(ConfigFactory.parseMap(
                        Map.of("mycelium.data-dir", dataDir.toString(), "mycelium.node.http.port", 0)))
                .withFallback(ConfigFactory.load());
        node = Node.start(config);
        clientSystem = ActorSystem.create(
                Behaviors.empty(),
                "grpc-client",
                ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));
        client = RemoteExecutionClient.create(
                GrpcClientSettings.connectToServiceAt(
                                "127.0.0.1", node.httpAddress().getPort(), clientSystem)
                        .withTls(false),
                clientSystem);
    }

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (clientSystem != null) {
            clientSystem.terminate();
            clientSystem.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (node != null) {
            node.stop().toCompletableFuture().get();
        }
    }

    private static ExecRequest.Builder request(String... command) {
        return ExecRequest.newBuilder().setAgentId("local").addAllCommand(List.of(command));
    }

    private static <T> T await(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static StatusRuntimeException grpcFailure(java.util.concurrent.CompletionStage<?> stage) {
        try {
            await(stage);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(StatusRuntimeException.class);
            return (StatusRuntimeException) e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("the call succeeded");
    }

    private static String stdout(List<ExecEvent> events) {
        return events.stream()
                .filter(ExecEvent::hasStdout)
                .map(e -> e.getStdout().toStringUtf8())
                .collect(Collectors.joining());
    }

    @Test
    void executeAnswersTheExitAndOutputAndStatusReadsTheFacts() throws Exception {
        start("");
        ExecResponse r = await(client.execute(request("sh", "-c", "echo hi; printf '\\377' >&2; exit 3")
                .setId("g-1")
                .build()));
        assertThat(r.getExitCode()).isEqualTo(3);
        assertThat(r.getStdout().toStringUtf8()).isEqualTo("hi\n");
        assertThat(r.getStderr().toByteArray()).containsExactly((byte) 0xff);
        assertThat(r.hasError()).isFalse();

        ExecStatusReply status =
                await(client.status(ExecId.newBuilder().setId("g-1").build()));
        assertThat(status.getState()).isEqualTo("EXITED");
        assertThat(status.getExitCode()).isEqualTo(3);
        assertThat(status.getRequestedBy()).isEqualTo(USER);

        StatusRuntimeException missing =
                grpcFailure(client.status(ExecId.newBuilder().setId("never-was").build()));
        assertThat(missing.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    void refusalsAreGrpcStatusesWithTheApiCodeInTheTrailers() throws Exception {
        start("mycelium.node.identity.tokens = [{principal = ci, sha256 = \"" + BearerTokens.sha256Hex("s3cret")
                + "\"}]\n" + "mycelium.node.policies = [{name = guarded, principals = [\"" + USER
                + "\"], allowedCommands = [\"*\"], deniedCommands = [\"rm *\"]}]");
        StatusRuntimeException denied =
                grpcFailure(client.execute(request("rm", "-rf", "/nothing").build()));
        assertThat(denied.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(denied.getStatus().getDescription()).contains("guarded");
        assertThat(denied.getTrailers().get(Metadata.Key.of("mycelium-code", Metadata.ASCII_STRING_MARSHALLER)))
                .isEqualTo("denied");

        StatusRuntimeException invalid = grpcFailure(client.execute(request().build()));
        assertThat(invalid.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(invalid.getTrailers().get(Metadata.Key.of("mycelium-details", Metadata.ASCII_STRING_MARSHALLER)))
                .contains("command");

        StatusRuntimeException wrongToken = grpcFailure(client.execute()
                .addHeader("authorization", "Bearer wrong")
                .invoke(request("true").build()));
        assertThat(wrongToken.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);

        // A token's principal is the caller, and no policy grants "ci" anything (deny by default).
        StatusRuntimeException ci = grpcFailure(client.execute()
                .addHeader("authorization", "Bearer s3cret")
                .invoke(request("true").setId("ci-1").build()));
        assertThat(ci.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(await(client.status(ExecId.newBuilder().setId("ci-1").build()))
                        .getRequestedBy())
                .isEqualTo("ci");
    }

    @Test
    void executeStreamSendsEventsEndingWithTheExit() throws Exception {
        start("");
        List<ExecEvent> events = await(client.executeStream(request("sh", "-c", "echo one; sleep 0.1; echo two; exit 4")
                        .build())
                .runWith(Sink.seq(), clientSystem));
        assertThat(events.get(0).hasStarted()).isTrue();
        assertThat(events.get(0).getStarted().getPid()).isPositive();
        assertThat(stdout(events)).isEqualTo("one\ntwo\n");
        ExecEvent last = events.get(events.size() - 1);
        assertThat(last.hasExit()).isTrue();
        assertThat(last.getExit().getExitCode()).isEqualTo(4);
    }

    /**
     * curl as the slow reader: it honours HTTP/2 flow control, so what it does not read stays unsent. (The pekko-grpc
     * Java client is no use here: its Netty channel keeps reading a server stream its caller does not pull.)
     */
    @Test
    void aStreamThatIsReadSlowlyStallsTheProcessAndOneWhoseClientLeavesIsKilled() throws Exception {
        start("");
        long total = 256L * 1024 * 1024;
        byte[] message = request("dd", "if=/dev/zero", "bs=65536", "count=" + total / 65536, "status=none")
                .setId("gs-1")
                .build()
                .toByteArray();
        ByteBuffer frame = ByteBuffer.allocate(5 + message.length);
        frame.put((byte) 0).putInt(message.length).put(message);
        Path body = Files.write(dataDir.resolve("request.grpc"), frame.array());
        Process curl = new ProcessBuilder(
                        "curl",
                        "-sS",
                        "--http2-prior-knowledge",
                        "--limit-rate",
                        "1k",
                        "-o",
                        "/dev/null",
                        "-H",
                        "content-type: application/grpc",
                        "-H",
                        "te: trailers",
                        "--data-binary",
                        "@" + body,
                        "http://127.0.0.1:" + node.httpAddress().getPort()
                                + "/mycelium.exec.v1.RemoteExecution/ExecuteStream")
                .redirectErrorStream(true)
                .start();
        try {
            ExecId id = ExecId.newBuilder().setId("gs-1").build();
            long pid = 0;
            for (int i = 0; i < 100 && pid == 0; i++) {
                Thread.sleep(100);
                try {
                    pid = await(client.status(id)).getPid();
                } catch (ExecutionException notYet) {
                    pid = 0;
                }
            }
            assertThat(pid).as("the process started").isPositive();
            Thread.sleep(3000);
            long stalled = written(pid);
            Thread.sleep(1000);
            assertThat(written(pid))
                    .as("dd still writes while the client reads 1 KiB/s")
                    .isEqualTo(stalled);
            assertThat(stalled).isLessThan(64L * 1024 * 1024);

            curl.destroy();
            String state = "";
            for (int i = 0; i < 100 && !state.equals("FAILED"); i++) {
                Thread.sleep(100);
                state = await(client.status(id)).getState();
            }
            assertThat(state)
                    .as("the client went away, so the process was killed")
                    .isEqualTo("FAILED");
            assertThat(Files.exists(Path.of("/proc/" + pid))).isFalse();
        } finally {
            curl.destroyForcibly();
        }
    }

    /** Bytes the process wrote so far, from the kernel's accounting. */
    private static long written(long pid) throws Exception {
        Path io = Path.of("/proc/" + pid + "/io");
        if (!Files.exists(io)) {
            throw new AssertionError("dd ended although the client read nothing: its output was buffered somewhere");
        }
        for (String line : Files.readAllLines(io)) {
            if (line.startsWith("wchar:")) {
                return Long.parseLong(line.substring(6).trim());
            }
        }
        throw new AssertionError("no wchar in " + io);
    }

    @Test
    void executeInteractiveFeedsStdinAndHalfCloseEndsIt() throws Exception {
        start("");
        Source<InteractiveInput, org.apache.pekko.NotUsed> input = Source.from(List.of(
                InteractiveInput.newBuilder()
                        .setRequest(request("cat").setId("gi-1"))
                        .build(),
                stdin("one\n"),
                stdin("two\n")));
        List<ExecEvent> events = await(client.executeInteractive(input).runWith(Sink.seq(), clientSystem));
        assertThat(stdout(events)).isEqualTo("one\ntwo\n");
        assertThat(events.get(events.size() - 1).getExit().getExitCode()).isZero();

        StatusRuntimeException noRequest =
                grpcFailure(client.executeInteractive(Source.single(stdin("x"))).runWith(Sink.seq(), clientSystem));
        assertThat(noRequest.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    }

    private static InteractiveInput stdin(String text) {
        return InteractiveInput.newBuilder()
                .setStdin(ByteString.copyFrom(text, StandardCharsets.UTF_8))
                .build();
    }

    @Test
    void cancelKillsARunningExecutionAndStatusSaysSo() throws Exception {
        start("");
        CompletableFuture<ExecResponse> running =
                client.execute(request("sleep", "30").setId("gc-1").build()).toCompletableFuture();
        ExecId id = ExecId.newBuilder().setId("gc-1").build();
        String state = "";
        for (int i = 0; i < 100 && !state.equals("RUNNING"); i++) {
            Thread.sleep(100);
            try {
                state = await(client.status(id)).getState();
            } catch (ExecutionException notYet) {
                state = "";
            }
        }
        assertThat(state).isEqualTo("RUNNING");
        ExecStatusReply cancelled = await(client.cancel(id));
        assertThat(cancelled.getCancelled()).as(cancelled.toString()).isTrue();
        ExecResponse response = running.get(30, TimeUnit.SECONDS);
        assertThat(response.getCancelled()).isTrue();
        assertThat(response.getError().getCode()).isEqualTo("cancelled");

        StatusRuntimeException again = grpcFailure(client.cancel(id));
        assertThat(again.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThatThrownBy(() ->
                        await(client.cancel(ExecId.newBuilder().setId("nope").build())))
                .hasCauseInstanceOf(StatusRuntimeException.class)
                .hasMessageContaining("NOT_FOUND");
    }
}

package io.mycelium;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mycelium.wire.ErrorCode;
import io.mycelium.wire.Message;
import io.mycelium.wire.MessageRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The controller survives agents that speak another version or send garbage: clear errors, nothing crashes. */
class HostileAgentTest {
    @TempDir
    Path dir;

    private Mycelium mycelium;

    @BeforeEach
    void start() {
        mycelium = Mycelium.standalone();
    }

    @AfterEach
    void stop() {
        mycelium.close();
    }

    private Context open(ScriptedAgent agent) {
        return mycelium.open(Session.over("hostile", agent));
    }

    private static MyceliumException failure(CompletionStage<?> stage) {
        ExecutionException e = assertThrows(
                ExecutionException.class, () -> stage.toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertThat(e.getCause()).isInstanceOf(MyceliumException.class);
        return (MyceliumException) e.getCause();
    }

    @Test
    void versionMismatchNamesBothVersions() {
        Context context = open(new ScriptedAgent(dir).preamble().hello(99));
        MyceliumException error = failure(context.ensureAgent());
        assertThat(error).isInstanceOf(ProtocolErrorException.class);
        assertThat(error.code()).isEqualTo(ErrorCode.PROTOCOL_MISMATCH);
        assertThat(error.getMessage())
                .contains("protocol 99")
                .contains("protocol " + MessageRegistry.PROTOCOL_VERSION)
                .contains("scripted-agent/9");
    }

    @Test
    void bannerJunkBeforeThePreambleIsSkipped() throws Exception {
        Context context = open(new ScriptedAgent(dir)
                .raw("Welcome to host!\nLast login: yesterday\n".getBytes(StandardCharsets.UTF_8))
                .preamble()
                .hello(MessageRegistry.PROTOCOL_VERSION));
        assertThat(context.ensureAgent()
                        .toCompletableFuture()
                        .get(10, TimeUnit.SECONDS)
                        .software())
                .isEqualTo("scripted-agent/9");
    }

    @Test
    void hugeDeclaredLengthIsAProtocolErrorWithoutAllocating() throws Exception {
        Context context = open(new ScriptedAgent(dir)
                .preamble()
                .hello(MessageRegistry.PROTOCOL_VERSION)
                .pause()
                .raw(new byte[] {0, 0, 0, 1, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF}));
        context.ensureAgent().toCompletableFuture().get(10, TimeUnit.SECONDS);
        MyceliumException error = failure(context.procExec("true"));
        assertThat(error).isInstanceOf(ProtocolErrorException.class);
        assertThat(error.getMessage())
                .contains("4294967295")
                .contains("over the limit")
                .contains("offset");
    }

    @Test
    void messageOnANeverOpenedStreamIsAProtocolError() throws Exception {
        Context context = open(new ScriptedAgent(dir)
                .preamble()
                .hello(MessageRegistry.PROTOCOL_VERSION)
                .pause()
                .frame(7, new Message.Output(Message.Channel.STDOUT, new byte[] {1})));
        context.ensureAgent().toCompletableFuture().get(10, TimeUnit.SECONDS);
        MyceliumException error = failure(context.procExec("true"));
        assertThat(error).isInstanceOf(ProtocolErrorException.class);
        assertThat(error.getMessage()).contains("stream 7").contains("never opened");
    }

    @Test
    void undecodablePayloadIsAProtocolError() throws Exception {
        Context context = open(new ScriptedAgent(dir)
                .preamble()
                .hello(MessageRegistry.PROTOCOL_VERSION)
                .pause()
                .raw(new byte[] {0, 0, 0, 1, 0, 0, 0, 3, (byte) 0x7F, (byte) 0x7F, (byte) 0x7F}));
        context.ensureAgent().toCompletableFuture().get(10, TimeUnit.SECONDS);
        MyceliumException error = failure(context.procExec("true"));
        assertThat(error).isInstanceOf(ProtocolErrorException.class);
        assertThat(error.getMessage()).contains("undecodable payload");
    }

    @Test
    void agentThatNeverStartsReportsWhatTheHostPrinted() {
        Context context = open(new ScriptedAgent(dir)
                .raw("sh: 1: java: not found\n".getBytes(StandardCharsets.UTF_8))
                .thenExit());
        MyceliumException error = failure(context.ensureAgent());
        assertThat(error).isInstanceOf(ProtocolErrorException.class);
        assertThat(error.getMessage()).contains("before the agent's preamble").contains("java: not found");
    }
}

package io.mycelium;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LocalExecTest {
    static Mycelium mycelium;
    static Context local;

    @BeforeAll
    static void start() {
        mycelium = Mycelium.standalone();
        local = mycelium.open(Session.local());
    }

    @AfterAll
    static void stop() {
        mycelium.close();
    }

    static ExecResult run(List<String> cmd, ExecOptions options) throws Exception {
        return local.procExec(cmd, options).get(30, TimeUnit.SECONDS);
    }

    @Test
    void exitCodeStdoutAndStderrArriveUnchanged() throws Exception {
        ExecResult r = run(List.of("sh", "-c", "printf '\\000\\377abc'; echo err >&2; exit 3"), ExecOptions.defaults());
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.stdout()).containsExactly(0, 0xFF, 'a', 'b', 'c');
        assertThat(r.stderrText()).isEqualTo("err\n");
        assertThat(r.pid()).isPositive();
    }

    @Test
    void agentInfoDescribesTheAgent() throws Exception {
        AgentInfo info = local.ensureAgent().toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertThat(info.software()).startsWith("mycelium-agent/");
        assertThat(info.transport()).isEqualTo("local");
        assertThat(local.ping().toCompletableFuture().get(5, TimeUnit.SECONDS)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void missingProgramIsAProcessStartError() {
        assertThatThrownBy(() -> local.procExec("no-such-program-xyz").join())
                .isInstanceOf(CompletionException.class)
                .cause()
                .isInstanceOf(ProcessStartException.class)
                .hasMessageContaining("no-such-program-xyz")
                .hasMessageContaining("[local]");
    }

    @Test
    void timeoutKillsTheProcess() {
        assertThatThrownBy(() -> local.procExec(
                                List.of("sleep", "30"), ExecOptions.defaults().withTimeout(Duration.ofMillis(300)))
                        .get(10, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(OperationTimeoutException.class);
    }

    @Test
    void stdinEnvAndWorkDir() throws Exception {
        ExecResult r = run(
                List.of("sh", "-c", "cat; echo \"$GREETING\"; pwd"),
                ExecOptions.defaults()
                        .withStdin("from stdin\n".getBytes())
                        .withEnv("GREETING", "hello")
                        .withWorkDir("/tmp"));
        assertThat(r.stdoutText()).isEqualTo("from stdin\nhello\n/tmp\n");
    }
}

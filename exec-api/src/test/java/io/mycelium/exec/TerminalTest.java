package io.mycelium.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mycelium.api.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TerminalTest {

    @Test
    void wrapsTheCommandInScriptWithItsWordsQuoted() {
        assertThat(new Terminal(100, 30).wrap(List.of("echo", "it's", "$HOME")))
                .containsExactly(
                        "script",
                        "-qfec",
                        "stty cols 100 rows 30 2>/dev/null; exec 'echo' 'it'\\''s' '$HOME'",
                        "/dev/null");
    }

    @Test
    void theWrappedCommandSeesATerminalAndItsArgumentsUnchanged() throws Exception {
        List<String> command = new Terminal(90, 20)
                .wrap(List.of("sh", "-c", "tty -s && stty size && printf '%s|' \"$@\"", "sh", "a b", "it's", "$x;`y`"));
        Process p = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(out).isEqualTo("20 90\r\na b|it's|$x;`y`|");
        assertThat(p.exitValue()).isZero();
    }

    @Test
    void refusesSizesOutOfRange() {
        assertThatThrownBy(() -> new Terminal(0, 24))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("cols and rows");
        assertThatThrownBy(() -> new Terminal(80, 1001)).isInstanceOf(ApiException.class);
    }
}

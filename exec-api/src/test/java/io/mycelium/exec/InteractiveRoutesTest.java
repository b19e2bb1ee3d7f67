package io.mycelium.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mycelium.api.ApiException;
import org.apache.pekko.japi.Pair;
import org.junit.jupiter.api.Test;

/** The interactive session's request message: what it takes from the path, what it refuses. */
class InteractiveRoutesTest {

    @Test
    void thePathGivesTheIdAndTheSessionMakesItInteractive() {
        Pair<ExecRequest, Terminal> o = InteractiveRoutes.opening(
                "s-1", "{\"agentId\":\"local\",\"command\":[\"cat\"],\"tty\":true,\"terminal\":{\"cols\":120}}");
        assertThat(o.first().id()).isEqualTo("s-1");
        assertThat(o.first().interactive()).isTrue();
        assertThat(o.first().tty()).isTrue();
        assertThat(o.second()).isEqualTo(new Terminal(120, 24));
        assertThat(InteractiveRoutes.opening("s-1", "{\"id\":\"s-1\",\"agentId\":\"a\",\"command\":[\"x\"]}")
                        .second())
                .isEqualTo(Terminal.DEFAULT);
    }

    @Test
    void refusesWhatDoesNotBelongInASession() {
        assertField("{\"id\":\"other\",\"agentId\":\"a\",\"command\":[\"x\"]}", "id");
        assertField("{\"agentId\":\"a\",\"command\":[\"x\"],\"interactive\":false}", "interactive");
        assertField("{\"agentId\":\"a\",\"command\":[\"x\"],\"stdin\":\"in\"}", "stdin");
        assertField("{\"agentId\":\"a\",\"command\":[\"x\"],\"stdinBase64\":\"AA==\"}", "stdinBase64");
        assertField("{\"agentId\":\"a\",\"command\":[\"x\"],\"terminal\":{\"cols\":\"wide\"}}", "terminal");
        assertField("{\"agentId\":\"a\",\"command\":[\"x\"],\"terminal\":{\"width\":80}}", "terminal");
        assertField("{\"agentId\":\"a\",\"command\":[\"x\"],\"terminal\":{\"cols\":0}}", "terminal");
        assertField("{\"agentId\":\"a\"}", "command");
        assertThatThrownBy(() -> InteractiveRoutes.opening("s", "[1]"))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("JSON object");
        assertThatThrownBy(() -> InteractiveRoutes.opening("s", "{"))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.code()).isEqualTo("malformed_json"));
    }

    private static void assertField(String request, String field) {
        assertThatThrownBy(() -> InteractiveRoutes.opening("s-1", request))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.details()).containsEntry("field", field);
                });
    }
}

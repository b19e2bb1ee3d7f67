package io.mycelium.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The shipped schemas: the documented examples pass, violations are named, and seeded malformed documents fail. */
class SchemasTest {

    private static JsonNode json(String text) throws Exception {
        return MalformedDocuments.JSON.readTree(text);
    }

    @Test
    void theDocumentedExamplesMatch() throws Exception {
        for (MalformedDocuments.Shape shape : MalformedDocuments.SHAPES) {
            assertThat(Schemas.violations(shape.type(), json(shape.example())))
                    .as(shape.type().name())
                    .isEmpty();
        }
        assertThat(Schemas.violations(
                        Schemas.Type.EXEC_REQUEST,
                        json("{\"id\": \"deploy-42\", \"agentId\": \"web1\", \"command\": [\"systemctl\", \"restart\","
                                + " \"app\"], \"workDir\": \"/srv/app\", \"environment\": {\"APP_ENV\": \"prod\"},"
                                + " \"stdin\": \"text\", \"timeout\": \"30s\", \"user\": \"deploy\", \"interactive\":"
                                + " false, \"tty\": false, \"requestedBy\": \"spiffe://example.org/ci\","
                                + " \"requestTime\": \"2026-11-21T10:00:00Z\"}")))
                .isEmpty();
        assertThat(Schemas.violations(
                        Schemas.Type.TASK_SUBMIT,
                        json("{\"target\": \"web1\", \"command\": [\"make\", \"test\"], \"maxAttempts\": 3,"
                                + " \"backoff\": {\"initial\": \"1s\", \"max\": \"1m\"}, \"deadline\": \"1h\","
                                + " \"timeout\": \"10m\", \"idempotencyKey\": \"build-1234\"}")))
                .isEmpty();
    }

    @Test
    void violationsNameThePathTheProblemAndTheField() throws Exception {
        assertThatThrownBy(() -> Schemas.checked(
                        Schemas.Type.TASK_SUBMIT, json("{\"target\": 7, \"command\": [\"ls\", 1], \"sudo\": true}")))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.code()).isEqualTo("invalid_request");
                    assertThat(e.details().get("field")).isEqualTo("command");
                    @SuppressWarnings("unchecked")
                    List<Map<String, String>> violations =
                            (List<Map<String, String>>) e.details().get("violations");
                    assertThat(violations)
                            .extracting(v -> v.get("path"))
                            .containsExactly("$.command[1]", "$.sudo", "$.target");
                    assertThat(violations.get(1).get("problem")).isEqualTo("is not a known field");
                    assertThat(e.getMessage()).startsWith("command[1]: ");
                });
        assertThatThrownBy(() -> Schemas.checked(Schemas.Type.TASK_SUBMIT, json("{\"target\": \"web1\"}")))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.details().get("field")).isEqualTo("command");
                    assertThat(e.getMessage()).isEqualTo("command: is required");
                });
    }

    /** Ten thousand seeded malformed documents per type: every one refused, none accepted, nothing else thrown. */
    @ParameterizedTest
    @EnumSource(Schemas.Type.class)
    void seededMalformedDocumentsAreAllRefused(Schemas.Type type) {
        MalformedDocuments.Shape shape = MalformedDocuments.SHAPES.stream()
                .filter(s -> s.type() == type)
                .findFirst()
                .orElseThrow();
        MalformedDocuments documents = new MalformedDocuments(8L * type.ordinal() + 1);
        for (int i = 0; i < 10_000; i++) {
            String text = documents.next(shape);
            JsonNode parsed;
            try {
                parsed = MalformedDocuments.JSON.readTree(text);
            } catch (Exception malformedJson) {
                continue;
            }
            assertThat(Schemas.violations(type, parsed)).as(text).isNotEmpty();
        }
    }
}

package io.mycelium.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.mycelium.api.FuzzCorpus;
import io.mycelium.api.Schemas;
import io.mycelium.node.Node;
import io.mycelium.node.task.TestWorker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of seeded malformed documents of every body and message type sent to a real node: each is answered with a
 * 400 (an error frame on the WebSocket) carrying {@code code}, {@code message} and {@code details}, never a 5xx; and
 * afterwards the node is healthy and no task, host or policy changed.
 */
class ValidationFuzzIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PER_TYPE = 1_000;
    private static final Set<String> CODES = Set.of("invalid_request", "malformed_json");

    @TempDir
    Path dataDir;

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private Node node;

    @BeforeEach
    void start() throws Exception {
        node = Node.start(ConfigFactory.parseMap(Map.of(
                        "mycelium.data-dir", dataDir.toString(),
                        "mycelium.node.http.port", 0,
                        "mycelium.node.exec.approvers", java.util.List.of(System.getProperty("user.name"))))
                .withFallback(ConfigFactory.load()));
    }

    @AfterEach
    void stop() throws Exception {
        node.stop().toCompletableFuture().get();
    }

    private int port() {
        return node.httpAddress().getPort();
    }

    private HttpResponse<String> call(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
                .timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json");
        b = body == null
                ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.method(method, HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode awaitTask(String id, String state, int attempt) throws Exception {
        for (int i = 0; i < 300; i++) {
            JsonNode t = JSON.readTree(call("GET", "/api/v1/tasks/" + id, null).body());
            if (t.path("state").asText().equals(state) && t.path("attempt").asInt() == attempt) {
                return t;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("task " + id + " did not reach " + state);
    }

    @Test
    void malformedBodiesAndMessagesAreRefusedAndChangeNothing() throws Exception {
        String done = JSON.readTree(call("POST", "/api/v1/tasks", "{\"target\":\"local\",\"command\":[\"echo\",\"x\"]}")
                        .body())
                .get("id")
                .asText();
        String waiting = JSON.readTree(call(
                                "POST",
                                "/api/v1/tasks",
                                "{\"target\":\"local\",\"command\":[\"false\"],\"maxAttempts\":5,"
                                        + "\"backoff\":{\"initial\":\"1h\",\"max\":\"1h\"},\"deadline\":\"3h\"}")
                        .body())
                .get("id")
                .asText();
        JsonNode doneBefore = awaitTask(done, "COMPLETED", 1);
        JsonNode waitingBefore = awaitTask(waiting, "SCHEDULED", 2);
        String hostsBefore = call("GET", "/api/v1/hosts", null).body();
        String policiesBefore = call("GET", "/api/v1/policies", null).body();
        String limitsBefore = call("GET", "/api/v1/rate-limits", null).body();

        Map<Schemas.Type, String[]> endpoints = Map.of(
                Schemas.Type.TASK_SUBMIT, new String[] {"POST", "/api/v1/tasks"},
                Schemas.Type.EXEC_REQUEST, new String[] {"POST", "/api/v1/exec"},
                Schemas.Type.DECISION, new String[] {"POST", "/api/v1/exec/fuzz-1/approve"},
                Schemas.Type.HOST, new String[] {"POST", "/api/v1/hosts"},
                Schemas.Type.POLICIES, new String[] {"PUT", "/api/v1/policies"},
                Schemas.Type.RATE_LIMITS, new String[] {"PUT", "/api/v1/rate-limits"},
                Schemas.Type.ALERT_RULES, new String[] {"PUT", "/api/v1/alerts/rules"});
        int sent = 0;
        for (var endpoint : endpoints.entrySet()) {
            FuzzCorpus corpus =
                    new FuzzCorpus(endpoint.getKey(), 17L + endpoint.getKey().ordinal());
            for (int i = 0; i < PER_TYPE; i++) {
                String body = corpus.next();
                HttpResponse<String> r = call(endpoint.getValue()[0], endpoint.getValue()[1], body);
                assertThat(r.statusCode())
                        .as(endpoint.getKey() + " " + body + " -> " + r.body())
                        .isEqualTo(400);
                JsonNode error = JSON.readTree(r.body());
                assertThat(error.get("code").asText()).as(body).isIn(CODES);
                assertThat(error.has("message") && error.has("details"))
                        .as(body)
                        .isTrue();
                sent++;
            }
        }
        FuzzCorpus interactive = new FuzzCorpus(Schemas.Type.INTERACTIVE_REQUEST, 99);
        for (int i = 0; i < PER_TYPE; i++) {
            String body = interactive.next();
            WsSession ws = WsSession.open(port(), "fuzz-ws-" + i, true);
            ws.sendText(body);
            JsonNode error = ws.next();
            assertThat(error.get("type").asText()).as(body).isEqualTo("error");
            assertThat(error.get("status").asInt()).as(body + " -> " + error).isEqualTo(400);
            assertThat(error.get("code").asText()).as(body).isIn(CODES);
            assertThat(ws.awaitClose()).isEqualTo(1000);
            sent++;
        }
        TestWorker worker = TestWorker.open(http, port()).hello("fuzz-worker", "fuzz");
        for (Schemas.Type type : java.util.List.of(
                Schemas.Type.AGENT_HELLO,
                Schemas.Type.AGENT_TASK_MESSAGE,
                Schemas.Type.AGENT_COMPLETE,
                Schemas.Type.AGENT_FAIL)) {
            FuzzCorpus corpus = new FuzzCorpus(type, 31L + type.ordinal());
            for (int i = 0; i < PER_TYPE; i++) {
                String body = corpus.next();
                worker.send(body);
                JsonNode error = worker.nextOf("error");
                assertThat(error.get("status").asInt())
                        .as(body + " -> " + error)
                        .isIn(400, 409);
                sent++;
            }
        }
        worker.close();
        assertThat(sent).isEqualTo(12 * PER_TYPE);

        assertThat(call("GET", "/health", null).statusCode()).isEqualTo(200);
        assertThat(call("GET", "/ready", null).statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(call("GET", "/api/v1/tasks/" + done, null).body()))
                .isEqualTo(doneBefore);
        assertThat(JSON.readTree(call("GET", "/api/v1/tasks/" + waiting, null).body()))
                .isEqualTo(waitingBefore);
        assertThat(JSON.readTree(call("GET", "/api/v1/tasks", null).body())
                        .get("count")
                        .asInt())
                .isEqualTo(2);
        assertThat(call("GET", "/api/v1/hosts", null).body()).isEqualTo(hostsBefore);
        assertThat(call("GET", "/api/v1/policies", null).body()).isEqualTo(policiesBefore);
        assertThat(call("GET", "/api/v1/rate-limits", null).body()).isEqualTo(limitsBefore);
        // Still serving: a valid request runs.
        HttpResponse<String> ok =
                call("POST", "/api/v1/exec", "{\"agentId\":\"local\",\"command\":[\"echo\",\"still here\"]}");
        assertThat(JSON.readTree(ok.body()).get("stdout").asText()).isEqualTo("still here\n");
    }
}

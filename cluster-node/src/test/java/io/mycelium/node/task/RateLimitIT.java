package io.mycelium.node.task;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.mycelium.node.Node;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The action limits on a real node: task submissions, worker messages and requests per IP, changed at runtime. */
class RateLimitIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SUBMIT = "{\"capability\":\"nobody-has-it\",\"command\":[\"x\"]}";

    @TempDir
    Path dataDir;

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private Node node;

    @BeforeEach
    void start() throws Exception {
        node = Node.start(ConfigFactory.parseString("mycelium.data-dir = \"" + dataDir + "\"\n"
                        + "mycelium.node.http.port = 0\n"
                        + "mycelium.node.rate-limits.actions.task-submit { capacity = 3, refill = 1, period = 1h }\n"
                        + "mycelium.node.rate-limits.actions.agent-message { capacity = 5, refill = 1, period = 1h }\n")
                .withFallback(ConfigFactory.load()));
    }

    @AfterEach
    void stop() throws Exception {
        node.stop().toCompletableFuture().get();
    }

    private HttpResponse<String> call(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + node.httpAddress().getPort() + path))
                .timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json");
        b = body == null
                ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.method(method, HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void submissionsOverTheLimitGet429UntilTheLimitIsRaisedAtRuntime() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(call("POST", "/api/v1/tasks", SUBMIT).statusCode()).isEqualTo(201);
        }
        HttpResponse<String> over = call("POST", "/api/v1/tasks", SUBMIT);
        assertThat(over.statusCode()).as(over.body()).isEqualTo(429);
        JsonNode error = JSON.readTree(over.body());
        assertThat(error.get("code").asText()).isEqualTo("rate_limited");
        assertThat(error.get("retryAfter").asLong()).isBetween(3000L, 3600L);
        assertThat(over.headers().firstValue("retry-after")).isPresent();
        // Listing is another action: not limited by submissions.
        assertThat(call("GET", "/api/v1/tasks", null).statusCode()).isIn(200, 503);

        HttpResponse<String> bad =
                call("PUT", "/api/v1/rate-limits", "{\"actions\":{\"task-submit\":{\"capacity\":-1}}}");
        assertThat(bad.statusCode()).as(bad.body()).isEqualTo(400);
        HttpResponse<String> raised = call(
                "PUT",
                "/api/v1/rate-limits",
                "{\"actions\":{\"task-submit\":{\"capacity\":100,\"refill\":100,\"period\":\"1s\"}}}");
        assertThat(raised.statusCode()).as(raised.body()).isEqualTo(200);
        JsonNode limits =
                JSON.readTree(call("GET", "/api/v1/rate-limits", null).body()).get("actions");
        assertThat(limits.get("task-submit").get("capacity").asLong()).isEqualTo(100);
        assertThat(limits.get("agent-message").get("capacity").asLong()).isEqualTo(5);
        assertThat(call("POST", "/api/v1/tasks", SUBMIT).statusCode()).isEqualTo(201);

        // Last, as it locks this client out: five requests an hour per IP.
        call("PUT", "/api/v1/rate-limits", "{\"actions\":{\"http\":{\"capacity\":5,\"refill\":1,\"period\":\"1h\"}}}");
        int refused = 0;
        for (int i = 0; i < 8; i++) {
            HttpResponse<String> r = call("GET", "/api/v1/rate-limits", null);
            if (r.statusCode() == 429) {
                refused++;
                assertThat(JSON.readTree(r.body()).get("code").asText()).isEqualTo("rate_limited");
            }
        }
        assertThat(refused).isEqualTo(3);
        assertThat(call("GET", "/health", null).statusCode()).isEqualTo(200);
    }

    @Test
    void aWorkerOverItsMessageLimitGetsErrorMessagesAndKeepsItsConnection() throws Exception {
        TestWorker w = TestWorker.open(http, node.httpAddress().getPort()).hello("w1", "build");
        for (int i = 0; i < 5; i++) {
            w.send("heartbeat", "never-was", 1, "");
            assertThat(w.nextOf("error").get("code").asText()).isEqualTo("not_found");
        }
        w.send("heartbeat", "never-was", 1, "");
        JsonNode limited = w.nextOf("error");
        assertThat(limited.get("status").asInt()).isEqualTo(429);
        assertThat(limited.get("code").asText()).isEqualTo("rate_limited");
        assertThat(limited.get("retryAfter").asLong()).isPositive();
        w.close();
    }
}

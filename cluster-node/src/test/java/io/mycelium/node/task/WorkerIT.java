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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TestWorker agents over the WebSocket {@code /api/v1/agents/connect} against a real node: the whole lifecycle with
 * heartbeats, an assignment not accepted in time going to another worker, a lease that runs out, a worker killed
 * mid-task whose task completes on another worker, the killed worker's late completion detected as a duplicate, and
 * malformed messages answered with error messages.
 */
class WorkerIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dataDir;

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<TestWorker> workers = new ArrayList<>();
    private Node node;

    @BeforeEach
    void start() throws Exception {
        node = Node.start(ConfigFactory.parseMap(Map.of(
                        "mycelium.data-dir", dataDir.toString(),
                        "mycelium.node.http.port", 0,
                        "mycelium.node.tasks.accept-timeout", "1s",
                        "mycelium.node.tasks.lease-timeout", "1s",
                        "mycelium.node.tasks.backoff-initial", "100ms",
                        "mycelium.node.tasks.redispatch-interval", "200ms"))
                .withFallback(ConfigFactory.load()));
    }

    @AfterEach
    void stop() throws Exception {
        workers.forEach(TestWorker::kill);
        node.stop().toCompletableFuture().get();
    }

    private TestWorker worker(String agentId, String... capabilities) throws Exception {
        TestWorker w = TestWorker.open(http, node.httpAddress().getPort());
        workers.add(w);
        return w.hello(agentId, capabilities);
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

    private String submit(String capability, int maxAttempts) throws Exception {
        HttpResponse<String> r = call(
                "POST",
                "/api/v1/tasks",
                "{\"capability\":\"" + capability + "\",\"command\":[\"build\",\"x\"],\"maxAttempts\":" + maxAttempts
                        + "}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return JSON.readTree(r.body()).get("id").asText();
    }

    private JsonNode task(String id) throws Exception {
        return JSON.readTree(call("GET", "/api/v1/tasks/" + id, null).body());
    }

    private JsonNode awaitState(String id, String state) throws Exception {
        JsonNode last = null;
        for (int i = 0; i < 200; i++) {
            last = task(id);
            if (last.get("state").asText().equals(state)) {
                return last;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("task " + id + " never reached " + state + "; last " + last);
    }

    private static List<String> facts(JsonNode task) {
        List<String> facts = new ArrayList<>();
        task.get("history").forEach(h -> facts.add(h.get("fact").asText()));
        return facts;
    }

    @Test
    void aWorkerAcceptsHeartbeatsPastTheLeaseAndCompletes() throws Exception {
        TestWorker w1 = worker("w1", "build");
        String id = submit("build", 3);
        JsonNode assignment = w1.nextOf("assignment");
        assertThat(assignment.get("taskId").asText()).isEqualTo(id);
        assertThat(assignment.get("command").toString()).isEqualTo("[\"build\",\"x\"]");
        int attempt = assignment.get("attempt").asInt();
        w1.send("accept", id, attempt, "");
        assertThat(w1.nextOf("leased").get("leaseUntil").asText()).isNotBlank();
        // Three heartbeats spaced under the 1 s lease carry the attempt well past it.
        for (int i = 0; i < 3; i++) {
            Thread.sleep(600);
            w1.send("progress", id, attempt, ",\"message\":\"" + (i + 1) * 25 + "%\"");
            w1.nextOf("leased");
        }
        w1.send("complete", id, attempt, ",\"output\":\"built\\n\",\"exitCode\":0");
        w1.nextOf("acked");
        JsonNode done = awaitState(id, "COMPLETED");
        assertThat(done.get("stdout").asText()).isEqualTo("built\n");
        assertThat(done.get("capability").asText()).isEqualTo("build");
        assertThat(facts(done)).containsExactly("submitted", "scheduled", "assigned", "accepted", "completed");
        assertThat(done.get("history").get(2).get("agent").asText()).isEqualTo("w1");
    }

    @Test
    void anAssignmentNotAcceptedInTimeGoesToAnotherWorker() throws Exception {
        TestWorker slow = worker("slow", "build");
        String id = submit("build", 3);
        JsonNode first = slow.nextOf("assignment");
        JsonNode revoked = slow.nextOf("revoked");
        assertThat(revoked.get("reason").asText()).contains("did not accept");
        slow.close();

        TestWorker fast = worker("fast", "build");
        JsonNode second = fast.nextOf("assignment");
        assertThat(second.get("attempt").asInt()).isEqualTo(first.get("attempt").asInt());
        fast.send("accept", id, second.get("attempt").asInt(), "");
        fast.nextOf("leased");
        fast.send("complete", id, second.get("attempt").asInt(), ",\"output\":\"ok\"");
        fast.nextOf("acked");
        JsonNode done = awaitState(id, "COMPLETED");
        assertThat(facts(done)).contains("released");
        assertThat(done.get("attempt").asInt()).isEqualTo(1);
    }

    @Test
    void anExpiredLeaseFailsTheAttemptAndTheRetryCompletes() throws Exception {
        TestWorker w1 = worker("w1", "build");
        String id = submit("build", 3);
        int attempt = w1.nextOf("assignment").get("attempt").asInt();
        w1.send("accept", id, attempt, "");
        w1.nextOf("leased");
        JsonNode revoked = w1.nextOf("revoked");
        assertThat(revoked.get("reason").asText()).contains("no heartbeat");
        JsonNode retry = w1.nextOf("assignment");
        assertThat(retry.get("attempt").asInt()).isEqualTo(attempt + 1);
        w1.send("accept", id, attempt + 1, "");
        w1.nextOf("leased");
        w1.send("complete", id, attempt + 1, "");
        w1.nextOf("acked");
        JsonNode done = awaitState(id, "COMPLETED");
        assertThat(done.get("history").findValuesAsText("code")).contains("lease_expired");
    }

    @Test
    void aWorkerKilledMidTaskLosesItToAnotherAndItsLateCompletionIsADuplicate() throws Exception {
        TestWorker doomed = worker("doomed", "build");
        String id = submit("build", 3);
        int attempt = doomed.nextOf("assignment").get("attempt").asInt();
        doomed.send("accept", id, attempt, "");
        doomed.nextOf("leased");
        doomed.kill();

        TestWorker survivor = worker("survivor", "build");
        JsonNode retry = survivor.nextOf("assignment");
        assertThat(retry.get("attempt").asInt()).isEqualTo(attempt + 1);
        survivor.send("accept", id, attempt + 1, "");
        survivor.nextOf("leased");
        survivor.send("complete", id, attempt + 1, ",\"output\":\"from the survivor\"");
        survivor.nextOf("acked");
        JsonNode done = awaitState(id, "COMPLETED");
        assertThat(done.get("stdout").asText()).isEqualTo("from the survivor");
        JsonNode lost = done.get("history").get(4);
        assertThat(lost.get("fact").asText()).isEqualTo("failed");
        assertThat(lost.get("code").asText()).isEqualTo("agent_disconnected");

        // The killed worker comes back and reports the attempt it had finished after all.
        TestWorker back = worker("doomed", "build");
        back.send("complete", id, attempt, ",\"output\":\"late\"");
        JsonNode duplicate = back.nextOf("error");
        assertThat(duplicate.get("code").asText()).isEqualTo("duplicate_completion");
        JsonNode after = task(id);
        assertThat(after.get("state").asText()).isEqualTo("COMPLETED");
        assertThat(after.get("stdout").asText()).isEqualTo("from the survivor");
        assertThat(facts(after)).endsWith("duplicate_completion");
    }

    @Test
    void aFailureReportIsRetriedAndANonRetryableOneIsDeadLettered() throws Exception {
        TestWorker w1 = worker("w1", "build");
        String id = submit("build", 3);
        int attempt = w1.nextOf("assignment").get("attempt").asInt();
        w1.send("accept", id, attempt, "");
        w1.nextOf("leased");
        w1.send("fail", id, attempt, ",\"message\":\"disk full\",\"exitCode\":2");
        w1.nextOf("acked");
        int second = w1.nextOf("assignment").get("attempt").asInt();
        assertThat(second).isEqualTo(attempt + 1);
        w1.send("accept", id, second, "");
        w1.nextOf("leased");
        w1.send("fail", id, second, ",\"message\":\"bad input\",\"retryable\":false");
        w1.nextOf("acked");
        JsonNode dead = awaitState(id, "DEAD_LETTERED");
        assertThat(dead.get("attempt").asInt()).isEqualTo(2);
        assertThat(dead.get("error").get("message").asText()).contains("bad input");
    }

    @Test
    void malformedMessagesAreAnsweredWithErrorsAndTheConnectionStays() throws Exception {
        TestWorker w = TestWorker.open(http, node.httpAddress().getPort());
        workers.add(w);
        w.send("{\"type\":\"accept\",\"taskId\":\"t\",\"attempt\":1}");
        assertThat(w.nextOf("error").get("message").asText()).contains("hello");
        w.send("{\"type\":\"hello\",\"agentId\":\"w 1\",\"capabilities\":[]}");
        JsonNode bad = w.nextOf("error");
        assertThat(bad.get("status").asInt()).isEqualTo(400);
        assertThat(bad.get("details").get("violations").findValuesAsText("path"))
                .contains("$.agentId", "$.capabilities");
        w.send("{not json");
        assertThat(w.nextOf("error").get("code").asText()).isEqualTo("malformed_json");
        w.send("{\"type\":\"launch\"}");
        assertThat(w.nextOf("error").get("details").get("field").asText()).isEqualTo("type");
        w.send("{\"type\":\"hello\",\"agentId\":\"w1\",\"capabilities\":[\"build\"]}");
        w.nextOf("welcome");
        w.send("{\"type\":\"complete\",\"taskId\":\"never-was\",\"attempt\":1}");
        assertThat(w.nextOf("error").get("code").asText()).isEqualTo("not_found");
        assertThat(call("GET", "/health", null).statusCode()).isEqualTo(200);
    }
}

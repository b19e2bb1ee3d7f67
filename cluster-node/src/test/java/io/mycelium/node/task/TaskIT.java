package io.mycelium.node.task;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The task queue on a real single node (H2 journal in a temp dir, the local host through its agent), driven over
 * HTTP: completion with output, retries into the dead-letter queue, redrive, cancel, idempotency keys, malformed
 * submissions, the exec policy, and state across a restart (also of a task whose retry was pending).
 */
class TaskIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dataDir;

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private Node node;

    private void start(String extra) throws Exception {
        Config config = ConfigFactory.parseString(extra)
                .withFallback(ConfigFactory.parseMap(Map.of(
                        "mycelium.data-dir",
                        dataDir.toString(),
                        "mycelium.node.http.port",
                        0,
                        "mycelium.node.tasks.backoff-initial",
                        "100ms",
                        "mycelium.node.tasks.wake-interval",
                        "2s")))
                .withFallback(ConfigFactory.load());
        node = Node.start(config);
    }

    @AfterEach
    void stop() throws Exception {
        if (node != null) {
            node.stop().toCompletableFuture().get();
        }
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

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    private String submit(String body) throws Exception {
        HttpResponse<String> r = call("POST", "/api/v1/tasks", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return json(r).get("id").asText();
    }

    private JsonNode awaitState(String id, String state) throws Exception {
        JsonNode last = null;
        for (int i = 0; i < 300; i++) {
            HttpResponse<String> r = call("GET", "/api/v1/tasks/" + id, null);
            if (r.statusCode() == 200) {
                last = json(r);
                if (last.get("state").asText().equals(state)) {
                    return last;
                }
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

    private List<String> listed(String query, String key) throws Exception {
        HttpResponse<String> r = call("GET", query, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r).get(key).findValuesAsText("id");
    }

    @Test
    void aTaskRunsOnItsHostAndCompletesWithItsOutputAlsoAfterARestart() throws Exception {
        start("");
        String id = submit("{\"target\":\"local\",\"command\":[\"echo\",\"hi\"]}");
        JsonNode done = awaitState(id, "COMPLETED");
        assertThat(done.get("stdout").asText()).isEqualTo("hi\n");
        assertThat(done.get("exitCode").asInt()).isZero();
        assertThat(done.get("attempt").asInt()).isEqualTo(1);
        assertThat(facts(done)).containsExactly("submitted", "scheduled", "assigned", "accepted", "completed");
        for (JsonNode fact : done.get("history")) {
            assertThat(fact.get("at").asText()).isNotBlank();
        }
        assertThat(done.get("history").get(2).get("agent").asText()).isEqualTo("local");
        // The attempt ran as an execution, with its facts and audit.
        HttpResponse<String> exec =
                call("GET", "/api/v1/exec/" + done.get("executionId").asText(), null);
        assertThat(json(exec).get("state").asText()).as(exec.body()).isEqualTo("EXITED");

        node.stop().toCompletableFuture().get();
        start("");
        HttpResponse<String> after = call("GET", "/api/v1/tasks/" + id, null);
        assertThat(after.statusCode()).as(after.body()).isEqualTo(200);
        assertThat(json(after).get("state").asText()).isEqualTo("COMPLETED");
        assertThat(json(after).get("stdout").asText()).isEqualTo("hi\n");
        assertThat(call("GET", "/api/v1/tasks/never-was", null).statusCode()).isEqualTo(404);
        awaitListed("/api/v1/tasks?state=completed", id);
    }

    private void awaitListed(String query, String id) throws Exception {
        for (int i = 0; i < 100; i++) {
            HttpResponse<String> r = call("GET", query, null);
            if (r.statusCode() == 200
                    && json(r).get("tasks").findValuesAsText("id").contains(id)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(id + " is not listed by " + query);
    }

    @Test
    void aFailingTaskIsRetriedWithBackoffThenDeadLetteredAndARedriveRunsItAgain() throws Exception {
        start("");
        String id = submit("{\"target\":\"local\",\"command\":[\"sh\",\"-c\",\"echo out; echo bad >&2; exit 3\"],"
                + "\"maxAttempts\":2}");
        JsonNode dead = awaitState(id, "DEAD_LETTERED");
        assertThat(facts(dead))
                .containsExactly(
                        "submitted",
                        "scheduled",
                        "assigned",
                        "accepted",
                        "failed",
                        "scheduled",
                        "assigned",
                        "accepted",
                        "failed",
                        "dead_lettered");
        JsonNode retry = dead.get("history").get(5);
        assertThat(retry.get("attempt").asInt()).isEqualTo(2);
        assertThat(Duration.parse(retry.get("delay").asText()))
                .isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
        JsonNode failed = dead.get("history").get(4);
        assertThat(failed.get("exitCode").asInt()).isEqualTo(3);
        assertThat(failed.get("stderr").asText()).isEqualTo("bad\n");
        assertThat(failed.get("code").asText()).isEqualTo("exit_code");
        assertThat(dead.get("error").get("code").asText()).isEqualTo("max_attempts");

        awaitListed("/api/v1/deadletter", id);
        HttpResponse<String> letters = call("GET", "/api/v1/deadletter", null);
        JsonNode letter = json(letters).get("tasks").get(0);
        assertThat(facts(letter)).hasSize(10);

        HttpResponse<String> redrive = call("POST", "/api/v1/deadletter/" + id + "/redrive", null);
        assertThat(redrive.statusCode()).as(redrive.body()).isEqualTo(200);
        assertThat(call("POST", "/api/v1/deadletter/" + id + "/redrive", null).statusCode())
                .isEqualTo(409);
        JsonNode again = awaitDeadLetteredAfter(id, 4);
        assertThat(facts(again)).contains("redriven");
        assertThat(again.get("attempt").asInt()).isEqualTo(4);

        HttpResponse<String> notDead = call("POST", "/api/v1/deadletter/never-was/redrive", null);
        assertThat(notDead.statusCode()).isEqualTo(404);
    }

    private JsonNode awaitDeadLetteredAfter(String id, int attempt) throws Exception {
        for (int i = 0; i < 300; i++) {
            JsonNode t = json(call("GET", "/api/v1/tasks/" + id, null));
            if (t.get("state").asText().equals("DEAD_LETTERED")
                    && t.get("attempt").asInt() == attempt) {
                return t;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("task " + id + " was not dead-lettered after attempt " + attempt);
    }

    @Test
    void malformedSubmissionsGet400NamingTheFieldAndUnknownHosts404() throws Exception {
        start("");
        Map<String, String> cases = Map.of(
                "{\"target\":\"local\",\"command\":[", "malformed_json",
                "{\"target\":\"local\",\"command\":\"ls\"}", "command",
                "{\"command\":[\"ls\"]}", "target",
                "{\"target\":\"local\",\"command\":[\"ls\"],\"maxAttempts\":0}", "maxAttempts",
                "{\"target\":\"local\",\"command\":[\"ls\"],\"deadline\":\"soon\"}", "deadline",
                "{\"target\":\"local\",\"command\":[\"ls\"],\"sudo\":true}", "sudo");
        for (var c : cases.entrySet()) {
            HttpResponse<String> r = call("POST", "/api/v1/tasks", c.getKey());
            assertThat(r.statusCode()).as(c.getKey() + " -> " + r.body()).isEqualTo(400);
            JsonNode body = json(r);
            assertThat(body.has("code") && body.has("message") && body.has("details"))
                    .isTrue();
            if (!c.getValue().equals("malformed_json")) {
                assertThat(body.get("details").get("field").asText()).isEqualTo(c.getValue());
            }
        }
        HttpResponse<String> unknown = call("POST", "/api/v1/tasks", "{\"target\":\"nope\",\"command\":[\"ls\"]}");
        assertThat(unknown.statusCode()).isEqualTo(404);
        HttpResponse<String> badState = call("GET", "/api/v1/tasks?state=bogus", null);
        assertThat(badState.statusCode()).isEqualTo(400);
        assertThat(json(badState).get("details").get("field").asText()).isEqualTo("state");
    }

    @Test
    void aDeniedCommandIsDeadLetteredAtOnceWithThePolicyAsReason() throws Exception {
        start("mycelium.node.policies = [{name = guarded, principals = [\"" + System.getProperty("user.name")
                + "\"], allowedCommands = [\"*\"], deniedCommands = [\"rm *\"]}]");
        String id = submit("{\"target\":\"local\",\"command\":[\"rm\",\"-rf\",\"/nothing\"],\"maxAttempts\":5}");
        JsonNode dead = awaitState(id, "DEAD_LETTERED");
        assertThat(dead.get("attempt").asInt()).isEqualTo(1);
        assertThat(dead.get("error").get("code").asText()).isEqualTo("denied");
        assertThat(dead.get("error").get("message").asText()).contains("guarded");
    }

    @Test
    void anIdempotencyKeyAnswersWithTheFirstTaskAndACancelEndsAScheduledTask() throws Exception {
        start("");
        String body = "{\"target\":\"local\",\"command\":[\"sh\",\"-c\",\"exit 1\"],\"maxAttempts\":5,"
                + "\"backoff\":{\"initial\":\"1h\",\"max\":\"1h\"},\"deadline\":\"2h\",\"idempotencyKey\":\"k-1\"}";
        String id = submit(body);
        HttpResponse<String> again = call("POST", "/api/v1/tasks", body);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(json(again).get("id").asText()).isEqualTo(id);
        assertThat(json(again).get("created").asBoolean()).isFalse();

        JsonNode waiting = awaitState(id, "SCHEDULED");
        for (int i = 0; i < 100 && waiting.get("attempt").asInt() < 2; i++) {
            Thread.sleep(100);
            waiting = json(call("GET", "/api/v1/tasks/" + id, null));
        }
        assertThat(waiting.get("attempt").asInt()).isEqualTo(2);
        assertThat(waiting.get("nextAttemptAt").asText()).isNotBlank();

        HttpResponse<String> cancel = call("POST", "/api/v1/tasks/" + id + "/cancel", null);
        assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(200);
        assertThat(json(cancel).get("state").asText()).isEqualTo("CANCELLED");
        HttpResponse<String> twice = call("POST", "/api/v1/tasks/" + id + "/cancel", null);
        assertThat(twice.statusCode()).isEqualTo(409);
        assertThat(json(twice).get("code").asText()).isEqualTo("already_ended");
    }

    @Test
    void aRetryPendingWhenTheNodeStopsRunsAfterTheRestart() throws Exception {
        start("");
        // Fails while the marker file is absent; the retry after the restart finds it.
        Path marker = dataDir.resolve("marker");
        String id = submit("{\"target\":\"local\",\"command\":[\"sh\",\"-c\",\"test -f " + marker
                + " && echo second\"],\"maxAttempts\":3,\"backoff\":{\"initial\":\"3s\",\"max\":\"3s\"}}");
        JsonNode waiting = awaitState(id, "SCHEDULED");
        for (int i = 0; i < 100 && waiting.get("attempt").asInt() < 2; i++) {
            Thread.sleep(50);
            waiting = json(call("GET", "/api/v1/tasks/" + id, null));
        }
        assertThat(waiting.get("attempt").asInt()).isEqualTo(2);
        node.stop().toCompletableFuture().get();
        java.nio.file.Files.writeString(marker, "");
        start("");
        JsonNode done = awaitState(id, "COMPLETED");
        assertThat(done.get("stdout").asText()).isEqualTo("second\n");
        assertThat(done.get("attempt").asInt()).isEqualTo(2);
    }
}

package io.mycelium.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mycelium.journal.JournalSettings;
import io.mycelium.node.Node;
import io.mycelium.testhosts.RequiresPostgres;
import io.mycelium.testhosts.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compaction on a real node, on H2 and on PostgreSQL: the policy store (untagged events, a snapshot every 50) loses the events
 * its snapshot covers, the tagged task, execution and audit facts stay, and after a restart every entity answers as
 * before and goes on writing.
 */
class JournalCompactionIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int POLICY_RESETS = 55;

    @TempDir
    Path dataDir;

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private Node node;

    private Config config(Config journal) {
        return journal.withFallback(ConfigFactory.parseMap(Map.of(
                        "mycelium.data-dir",
                        dataDir.toString(),
                        "mycelium.node.http.port",
                        0,
                        "mycelium.node.journal.compaction-interval",
                        "0s",
                        "jdbc-read-journal.refresh-interval",
                        "200ms")))
                .withFallback(ConfigFactory.load())
                .resolve();
    }

    @AfterEach
    void stop() throws Exception {
        if (node != null) {
            node.stop().toCompletableFuture().get();
        }
    }

    private HttpResponse<String> call(String method, String path, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(
                                "http://127.0.0.1:" + node.httpAddress().getPort() + path))
                        .timeout(Duration.ofSeconds(30))
                        .header("content-type", "application/json")
                        .method(
                                method,
                                body == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> r = call("GET", path, null);
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private JsonNode awaitTask(String id) throws Exception {
        JsonNode t = null;
        for (int i = 0; i < 200; i++) {
            t = JSON.readTree(call("GET", "/api/v1/tasks/" + id, null).body());
            if (t.path("state").asText().equals("COMPLETED")) {
                return t;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("task " + id + ": " + t);
    }

    @Test
    void onH2() throws Exception {
        compactionDeletesTheSnapshottedUntaggedEventsAndEveryEntityRecoversAsBefore(ConfigFactory.empty());
    }

    @Test
    @RequiresPostgres
    void onPostgres() throws Exception {
        try (TestDatabase database = TestDatabase.create()) {
            try {
                compactionDeletesTheSnapshottedUntaggedEventsAndEveryEntityRecoversAsBefore(
                        JournalSettings.postgres(database.url(), database.user(), database.password()));
            } finally {
                stop();
                node = null;
            }
        }
    }

    private void compactionDeletesTheSnapshottedUntaggedEventsAndEveryEntityRecoversAsBefore(Config journal)
            throws Exception {
        node = Node.start(config(journal));
        List<String> tasks = List.of("alpha", "beta").stream()
                .map(word -> {
                    try {
                        return JSON.readTree(call(
                                                "POST",
                                                "/api/v1/tasks",
                                                "{\"target\":\"local\",\"command\":[\"echo\",\"" + word + "\"]}")
                                        .body())
                                .get("id")
                                .asText();
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                })
                .toList();
        for (String id : tasks) {
            awaitTask(id);
        }
        for (int i = 0; i < POLICY_RESETS; i++) {
            HttpResponse<String> reset = call("DELETE", "/api/v1/policies", null);
            assertThat(reset.statusCode()).as(reset.body()).isEqualTo(200);
        }
        JsonNode policies = get("/api/v1/policies");
        assertThat(policies.get("version").asLong()).isEqualTo(POLICY_RESETS);
        int audits = get("/api/v1/audit").get("records").size();
        assertThat(audits).isEqualTo(tasks.size());
        JsonNode before = get("/api/v1/journal/health");

        HttpResponse<String> compacted = call("POST", "/api/v1/journal/compact", null);
        assertThat(compacted.statusCode()).as(compacted.body()).isEqualTo(200);
        long deleted = JSON.readTree(compacted.body()).get("eventsDeleted").asLong();
        // The policy store snapshotted at 50: its events 1..50 go, 51..55 stay.
        assertThat(deleted).isGreaterThanOrEqualTo(50);
        JsonNode after = get("/api/v1/journal/health");
        assertThat(after.get("tables").get("event_journal").asLong())
                .isEqualTo(before.get("tables").get("event_journal").asLong() - deleted);
        assertThat(after.get("tables").get("event_tag").asLong())
                .isEqualTo(before.get("tables").get("event_tag").asLong());
        assertThat(after.get("lastCompaction").get("eventsDeleted").asLong()).isEqualTo(deleted);
        HttpResponse<String> again = call("POST", "/api/v1/journal/compact", null);
        assertThat(JSON.readTree(again.body()).get("eventsDeleted").asLong()).isZero();
        node.stop().toCompletableFuture().get();
        node = null;

        node = Node.start(config(journal));
        assertThat(get("/api/v1/policies")).isEqualTo(policies);
        for (String id : tasks) {
            assertThat(awaitTask(id).get("stdout").asText()).isIn("alpha\n", "beta\n");
        }
        assertThat(get("/api/v1/audit").get("records").size()).isEqualTo(audits);
        HttpResponse<String> next = call("DELETE", "/api/v1/policies", null);
        assertThat(JSON.readTree(next.body()).get("version").asLong()).isEqualTo(POLICY_RESETS + 1);
    }
}

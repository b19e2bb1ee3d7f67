package io.mycelium.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mycelium.node.Node;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal's backup, health and recovery on a real node: a backup through the API, the H2 file damaged on purpose,
 * the node refusing to start with the way out in its error, {@code mycelium journal restore}, and the task back.
 */
class JournalRecoveryIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dataDir;

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private Node node;

    private Config config() {
        return ConfigFactory.parseMap(Map.of(
                        "mycelium.data-dir",
                        dataDir.toString(),
                        "mycelium.node.http.port",
                        0,
                        "mycelium.journal.connection-timeout",
                        "5s"))
                .withFallback(ConfigFactory.load())
                .resolve();
    }

    @AfterEach
    void stop() throws Exception {
        if (node != null) {
            node.stop().toCompletableFuture().get();
        }
    }

    private HttpResponse<String> call(String method, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(
                                "http://127.0.0.1:" + node.httpAddress().getPort() + path))
                        .timeout(Duration.ofSeconds(30))
                        .header("content-type", "application/json")
                        .method(
                                method,
                                path.equals("/api/v1/tasks")
                                        ? HttpRequest.BodyPublishers.ofString(
                                                "{\"target\":\"local\",\"command\":[\"echo\",\"kept\"]}")
                                        : HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode awaitTask(String id) throws Exception {
        JsonNode t = null;
        for (int i = 0; i < 200; i++) {
            t = JSON.readTree(call("GET", "/api/v1/tasks/" + id).body());
            if (t.path("state").asText().equals("COMPLETED")) {
                return t;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("task " + id + ": " + t);
    }

    @Test
    void aDamagedJournalIsRefusedWithTheWayOutAndTheBackupBringsTheTaskBack() throws Exception {
        node = Node.start(config());
        String id =
                JSON.readTree(call("POST", "/api/v1/tasks").body()).get("id").asText();
        awaitTask(id);
        HttpResponse<String> backup = call("POST", "/api/v1/journal/backup");
        assertThat(backup.statusCode()).as(backup.body()).isEqualTo(201);
        Path zip = Path.of(JSON.readTree(backup.body()).get("file").asText());
        assertThat(zip).exists().startsWith(dataDir.resolve("backups"));
        JsonNode health = JSON.readTree(call("GET", "/api/v1/journal/health").body());
        assertThat(health.get("kind").asText()).isEqualTo("h2");
        assertThat(health.get("tables").get("event_journal").asLong()).isPositive();
        assertThat(health.get("eventsSinceSnapshot").asLong()).isPositive();
        assertThat(health.get("lastBackup").get("file").asText()).isEqualTo(zip.toString());
        assertThat(health.get("lastBackup").get("ageSeconds").asLong()).isLessThan(60);
        node.stop().toCompletableFuture().get();
        node = null;

        damage(dataDir.resolve("journal").resolve("mycelium.mv.db"));
        assertThatThrownBy(() -> Node.start(config()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("could not be opened")
                .hasMessageContaining("mycelium journal restore --data-dir " + dataDir);

        int restored = MyceliumCommand.run(
                new String[] {"journal", "restore", "--backup", zip.toString(), "--data-dir", dataDir.toString()});
        assertThat(restored).isZero();
        try (var aside = Files.list(dataDir)) {
            assertThat(aside.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("journal.broken-")))
                    .hasSize(1);
        }
        node = Node.start(config());
        JsonNode back = awaitTask(id);
        assertThat(back.get("stdout").asText()).isEqualTo("kept\n");
    }

    /** Overwrites the file's headers and some blocks with random bytes, as a failing disk might. */
    private static void damage(Path file) throws IOException {
        Random random = new Random(7);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            byte[] junk = new byte[8192];
            for (long at : List.of(0L, f.length() / 3, f.length() / 2, Math.max(0, f.length() - 8192))) {
                random.nextBytes(junk);
                f.seek(at);
                f.write(junk);
            }
        }
    }
}

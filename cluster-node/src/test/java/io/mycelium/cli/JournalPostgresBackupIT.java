package io.mycelium.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mycelium.journal.JournalSettings;
import io.mycelium.node.Node;
import io.mycelium.node.journal.PostgresExport;
import io.mycelium.testhosts.RequiresPostgres;
import io.mycelium.testhosts.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PostgreSQL journal's logical export on a real node and database: tasks written, {@code POST
 * /api/v1/journal/backup}, {@code mycelium journal restore} into a fresh schema (and refused into a non-empty one or
 * from a damaged export), then a node on the restored schema answers the tasks from the journal and takes new ones.
 */
@RequiresPostgres
class JournalPostgresBackupIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dataDir;

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<TestDatabase> databases = new ArrayList<>();
    private Node node;

    private Config config(TestDatabase database) {
        return JournalSettings.postgres(database.url(), database.user(), database.password())
                .withFallback(ConfigFactory.parseMap(Map.of(
                        "mycelium.data-dir",
                        dataDir.toString(),
                        "mycelium.node.http.port",
                        0,
                        "mycelium.journal.connection-timeout",
                        "5s",
                        "jdbc-read-journal.refresh-interval",
                        "200ms")))
                .withFallback(ConfigFactory.load())
                .resolve();
    }

    private TestDatabase database() throws Exception {
        TestDatabase database = TestDatabase.create();
        databases.add(database);
        return database;
    }

    @AfterEach
    void stop() throws Exception {
        if (node != null) {
            node.stop().toCompletableFuture().get();
        }
        for (TestDatabase database : databases) {
            database.close();
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

    private String submit(String word) throws Exception {
        HttpResponse<String> r =
                call("POST", "/api/v1/tasks", "{\"target\":\"local\",\"command\":[\"echo\",\"" + word + "\"]}");
        assertThat(r.statusCode()).as(r.body()).isIn(200, 201, 202);
        return JSON.readTree(r.body()).get("id").asText();
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

    /** Runs the CLI, returning its exit code and what it wrote to stderr. */
    private static Map.Entry<Integer, String> cli(String... args) {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            int code = MyceliumCommand.run(args);
            return Map.entry(code, captured.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(err);
        }
    }

    private static String urlWithPassword(TestDatabase database) {
        return database.url() + "&password=" + database.password();
    }

    @Test
    void theExportRestoresIntoAnEmptySchemaAndANodeThereAnswersFromIt() throws Exception {
        TestDatabase source = database();
        node = Node.start(config(source));
        List<String> ids = List.of(submit("one"), submit("two"), submit("three"));
        for (String id : ids) {
            awaitTask(id);
        }
        HttpResponse<String> backup = call("POST", "/api/v1/journal/backup", null);
        assertThat(backup.statusCode()).as(backup.body()).isEqualTo(201);
        Path export = Path.of(JSON.readTree(backup.body()).get("file").asText());
        assertThat(export).isDirectory().startsWith(dataDir.resolve("backups"));
        JsonNode manifest =
                JSON.readTree(export.resolve(PostgresExport.MANIFEST).toFile());
        assertThat(manifest.get("sourceSchema").asText()).isEqualTo(source.schema());
        List<String> names = new ArrayList<>();
        manifest.get("tables").forEach(t -> names.add(t.get("name").asText()));
        assertThat(names).contains("event_journal", "event_tag", "snapshot");
        assertThat(manifest.get("tables").get(0).get("rows").asLong()).isPositive();
        assertThat(manifest.get("tables").get(0).get("sha256").asText()).hasSize(64);
        JsonNode health =
                JSON.readTree(call("GET", "/api/v1/journal/health", null).body());
        assertThat(health.get("kind").asText()).isEqualTo("postgres");
        assertThat(health.get("lastBackup").get("file").asText()).isEqualTo(export.toString());
        node.stop().toCompletableFuture().get();
        node = null;

        TestDatabase target = database();
        Map.Entry<Integer, String> restored = cli(
                "journal",
                "restore",
                "--backup",
                export.toString(),
                "--url",
                urlWithPassword(target),
                "--user",
                target.user());
        assertThat(restored.getKey()).as(restored.getValue()).isZero();

        Map.Entry<Integer, String> again = cli(
                "journal",
                "restore",
                "--backup",
                export.toString(),
                "--url",
                urlWithPassword(target),
                "--user",
                target.user());
        assertThat(again.getKey()).isEqualTo(2);
        assertThat(again.getValue()).contains("is not empty").contains("event_journal holds rows");

        Files.writeString(export.resolve("event_journal.csv"), "junk\n", StandardOpenOption.APPEND);
        TestDatabase third = database();
        Map.Entry<Integer, String> damaged = cli(
                "journal",
                "restore",
                "--backup",
                export.toString(),
                "--url",
                urlWithPassword(third),
                "--user",
                third.user());
        assertThat(damaged.getKey()).isEqualTo(2);
        assertThat(damaged.getValue()).contains("does not match the manifest");

        node = Node.start(config(target));
        for (String id : ids) {
            assertThat(awaitTask(id).get("stdout").asText()).endsWith("\n");
        }
        assertThat(awaitTask(ids.get(1)).get("stdout").asText()).isEqualTo("two\n");
        // The sequences moved past the restored rows: new events get new orderings.
        assertThat(awaitTask(submit("after")).get("stdout").asText()).isEqualTo("after\n");
    }
}

package io.mycelium.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.mycelium.node.Node;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mycelium task ...} as its own JVM against a real node, as the acceptance runs it. */
class CliTaskIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dataDir;

    private Node node;
    private String url;

    @BeforeEach
    void start() throws Exception {
        node = Node.start(ConfigFactory.parseMap(Map.of(
                        "mycelium.data-dir",
                        dataDir.toString(),
                        "mycelium.node.http.port",
                        0,
                        "mycelium.node.tasks.backoff-initial",
                        "100ms"))
                .withFallback(ConfigFactory.load()));
        url = "http://127.0.0.1:" + node.httpAddress().getPort();
    }

    @AfterEach
    void stop() throws Exception {
        node.stop().toCompletableFuture().get();
    }

    private Cli.Result task(String... args) throws Exception {
        String[] all = new String[args.length + 1];
        all[0] = "task";
        System.arraycopy(args, 0, all, 1, args.length);
        return Cli.run(Map.of("MYCELIUM_NODE", url), List.of("-Xmx128m", "-XX:+UseSerialGC"), all);
    }

    private JsonNode awaitState(String id, String state) throws Exception {
        JsonNode last = null;
        for (int i = 0; i < 60; i++) {
            Cli.Result status = task("status", id);
            assertThat(status.exitCode()).as(status.stderr()).isZero();
            last = JSON.readTree(status.stdoutText());
            if (last.get("state").asText().equals(state)) {
                return last;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("task " + id + " never reached " + state + "; last " + last);
    }

    @Test
    void submitPrintsTheIdAndStatusShowsTheOutput() throws Exception {
        Cli.Result submit = task("submit", "--target", "local", "--", "echo", "hi");
        assertThat(submit.exitCode()).as(submit.stderr()).isZero();
        List<String> lines = submit.stdoutText().lines().toList();
        String id = lines.get(lines.size() - 1);
        JsonNode done = awaitState(id, "COMPLETED");
        assertThat(done.get("stdout").asText()).isEqualTo("hi\n");
        assertThat(done.get("history").findValuesAsText("fact")).contains("accepted", "completed");

        // The list is the node's index, which follows the journal's facts a moment behind the task itself.
        List<String> listed = List.of();
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(15).toNanos();
        while (!listed.contains(id) && System.nanoTime() < deadline) {
            Cli.Result list = task("list", "--state", "completed");
            assertThat(list.exitCode()).as(list.stderr()).isZero();
            listed = JSON.readTree(list.stdoutText()).get("tasks").findValuesAsText("id");
            if (!listed.contains(id)) {
                Thread.sleep(200);
            }
        }
        assertThat(listed).contains(id);
    }

    @Test
    void anAlwaysFailingCommandEndsInTheDeadLetterQueueAndRedriveRunsItAgain() throws Exception {
        Cli.Result submit = task("submit", "--target", "local", "--max-attempts", "2", "--", "false");
        assertThat(submit.exitCode()).as(submit.stderr()).isZero();
        String id = submit.stdoutText().strip();
        JsonNode dead = awaitState(id, "DEAD_LETTERED");
        assertThat(dead.get("attempt").asInt()).isEqualTo(2);

        Cli.Result redrive = task("redrive", id);
        assertThat(redrive.exitCode()).as(redrive.stderr()).isZero();
        assertThat(JSON.readTree(redrive.stdoutText()).get("state").asText()).isEqualTo("SCHEDULED");
    }

    @Test
    void errorsOfTheNodeAreOneLine() throws Exception {
        Cli.Result unknown = task("status", "never-was");
        assertThat(unknown.exitCode()).isEqualTo(125);
        assertThat(unknown.stderr().strip()).isEqualTo("mycelium: no task never-was (404 not_found)");
        Cli.Result noHost = task("submit", "--target", "nowhere", "--", "true");
        assertThat(noHost.exitCode()).isEqualTo(125);
        assertThat(noHost.stderr()).contains("no host is registered as nowhere");
    }
}

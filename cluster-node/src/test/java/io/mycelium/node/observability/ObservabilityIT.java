package io.mycelium.node.observability;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.mycelium.node.Node;
import io.mycelium.node.task.TestWorker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.logstash.logback.encoder.LogstashEncoder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Metrics, telemetry and alerts on a real node: JSON telemetry lines with the task's and agent's ids, {@code
 * /metrics} and {@code /api/metrics} after tasks ran, and alerts raised and cleared as their rules change at runtime.
 */
class ObservabilityIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dataDir;

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final ByteArrayOutputStream telemetry = new ByteArrayOutputStream();
    private OutputStreamAppender<ILoggingEvent> appender;
    private Node node;

    @BeforeEach
    void start() throws Exception {
        LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
        LogstashEncoder encoder = new LogstashEncoder();
        encoder.setContext(logging);
        encoder.start();
        appender = new OutputStreamAppender<>();
        appender.setContext(logging);
        appender.setEncoder(encoder);
        appender.setOutputStream(telemetry);
        appender.start();
        Logger logger = logging.getLogger("mycelium.telemetry");
        logger.setLevel(Level.INFO);
        logger.addAppender(appender);
        node = Node.start(ConfigFactory.parseMap(Map.of(
                        "mycelium.data-dir",
                        dataDir.toString(),
                        "mycelium.node.http.port",
                        0,
                        "mycelium.node.alerts.interval",
                        "200ms",
                        "mycelium.node.alerts.queue-depth",
                        1,
                        "mycelium.node.alerts.failures-per-minute",
                        1,
                        "mycelium.node.alerts.stuck-after",
                        "0s",
                        "mycelium.node.tasks.backoff-initial",
                        "50ms"))
                .withFallback(ConfigFactory.load()));
    }

    @AfterEach
    void stop() throws Exception {
        node.stop().toCompletableFuture().get();
        Logger logger = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger("mycelium.telemetry");
        logger.detachAppender(appender);
        logger.setLevel(null);
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

    private String submit(String body) throws Exception {
        HttpResponse<String> r = call("POST", "/api/v1/tasks", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return JSON.readTree(r.body()).get("id").asText();
    }

    private void awaitState(String id, String state) throws Exception {
        for (int i = 0; i < 200; i++) {
            if (JSON.readTree(call("GET", "/api/v1/tasks/" + id, null).body())
                    .path("state")
                    .asText()
                    .equals(state)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(id + " never reached " + state);
    }

    private List<JsonNode> lines() throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        synchronized (telemetry) {
            for (String line : telemetry.toString(StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    lines.add(JSON.readTree(line));
                }
            }
        }
        return lines;
    }

    private JsonNode awaitLine(String event, String taskId) throws Exception {
        for (int i = 0; i < 100; i++) {
            for (JsonNode line : lines()) {
                if (line.path("event").asText().equals(event)
                        && (taskId == null || line.path("task_id").asText().equals(taskId))) {
                    return line;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no telemetry " + event + " for " + taskId + " in " + lines());
    }

    private JsonNode awaitAlerts(int count) throws Exception {
        JsonNode alerts = null;
        for (int i = 0; i < 100; i++) {
            alerts = JSON.readTree(call("GET", "/api/v1/alerts", null).body());
            if (alerts.get("active").size() == count) {
                return alerts;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("expected " + count + " alerts: " + alerts);
    }

    @Test
    void telemetryMetricsAndAlertsFollowTheTasks() throws Exception {
        String done = submit("{\"target\":\"local\",\"command\":[\"echo\",\"hi\"]}");
        awaitState(done, "COMPLETED");
        JsonNode submitted = awaitLine("task_submitted", done);
        assertThat(submitted.get("module").asText()).isEqualTo("tasks");
        assertThat(submitted.get("target").asText()).isEqualTo("local");
        assertThat(awaitLine("task_assigned", done).get("agent_id").asText()).isEqualTo("local");
        assertThat(awaitLine("task_completed", done).get("latency_ms").asLong()).isNotNegative();

        String failing = submit("{\"target\":\"local\",\"command\":[\"false\"],\"maxAttempts\":2}");
        awaitState(failing, "DEAD_LETTERED");
        assertThat(awaitLine("task_failed", failing).get("code").asText()).isEqualTo("exit_code");
        submit("{\"capability\":\"nobody\",\"command\":[\"x\"]}");
        submit("{\"capability\":\"nobody\",\"command\":[\"y\"]}");

        JsonNode alerts = awaitAlerts(2);
        assertThat(alerts.get("active").findValuesAsText("rule"))
                .containsExactlyInAnyOrder("queue_growth", "failure_rate");
        awaitLine("alert_raised", null);
        HttpResponse<String> raised = call("PUT", "/api/v1/alerts/rules", "{\"queueDepth\":100}");
        assertThat(raised.statusCode()).as(raised.body()).isEqualTo(200);
        assertThat(JSON.readTree(raised.body()).get("queueDepth").asLong()).isEqualTo(100);
        assertThat(awaitAlerts(1).get("active").get(0).get("rule").asText()).isEqualTo("failure_rate");
        assertThat(call("PUT", "/api/v1/alerts/rules", "{\"queueDepth\":-1}").statusCode())
                .isEqualTo(400);

        TestWorker worker = TestWorker.open(http, node.httpAddress().getPort()).hello("w1", "other");
        awaitLine("agent_connected", null);
        JsonNode metrics = JSON.readTree(call("GET", "/api/metrics", null).body());
        assertThat(metrics.get("tasks").get("queueDepth").asLong()).isEqualTo(2);
        assertThat(metrics.get("tasks").get("facts").get("completed").asLong()).isEqualTo(1);
        assertThat(metrics.get("tasks").get("facts").get("failed").asLong()).isEqualTo(2);
        assertThat(metrics.get("tasks").get("latencyMs").get("count").asLong()).isEqualTo(1);
        assertThat(metrics.get("tasks").get("latencyMs").has("p99")).isTrue();
        assertThat(metrics.get("agents").get("connected").asLong()).isEqualTo(1);
        assertThat(metrics.get("http").get("responses").get("2xx").asLong()).isPositive();
        assertThat(metrics.get("http").get("responses").get("4xx").asLong()).isEqualTo(1);
        worker.close();
        awaitLine("agent_disconnected", null);

        HttpResponse<String> prometheus = call("GET", "/metrics", null);
        assertThat(prometheus.statusCode()).isEqualTo(200);
        assertThat(prometheus.body())
                .contains("mycelium_task_facts_total{fact=\"completed\"} 1")
                .contains("mycelium_task_queue_depth 2")
                .contains("mycelium_task_latency_seconds_count 1");
    }

    @Test
    void theJsonLogConfigurationWritesTheMdcOnEveryLine() throws Exception {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        PrintStream stderr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            context.start();
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(Path.of("..", "conf", "logback-json.xml").toFile());
            // A context of its own has an MDC of its own.
            context.getMDCAdapter().put("task_id", "t-1");
            context.getMDCAdapter().put("agent_id", "w1");
            context.getLogger("mycelium.telemetry").info("task_completed");
            context.getLogger("io.mycelium.task.Task").warn("something odd");
        } finally {
            System.setErr(stderr);
            context.stop();
        }
        String[] lines = captured.toString(StandardCharsets.UTF_8).strip().split("\n");
        assertThat(lines)
                .as(context.getStatusManager().getCopyOfStatusList().toString())
                .hasSize(2);
        for (String line : lines) {
            JsonNode json = JSON.readTree(line);
            assertThat(json.get("task_id").asText()).isEqualTo("t-1");
            assertThat(json.get("agent_id").asText()).isEqualTo("w1");
        }
    }
}

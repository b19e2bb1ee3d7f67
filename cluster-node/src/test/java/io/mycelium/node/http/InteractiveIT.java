package io.mycelium.node.http;

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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real node driven over a real WebSocket (the JDK's client) on loopback: interactive stdin and output, policy
 * refusals, cancel, back-pressure against a client that stops reading, and a terminal through {@code script}.
 */
class InteractiveIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String USER = System.getProperty("user.name");

    @TempDir
    Path dataDir;

    private final HttpClient http = HttpClient.newHttpClient();
    private Node node;

    private void start(String extra) throws Exception {
        Config config = ConfigFactory.parseString(extra)
                .withFallback(ConfigFactory.parseMap(
                        Map.of("mycelium.data-dir", dataDir.toString(), "mycelium.node.http.port", 0)))
                .withFallback(ConfigFactory.load());
        node = Node.start(config);
    }

    @AfterEach
    void stop() throws Exception {
        if (node != null) {
            node.stop().toCompletableFuture().get();
        }
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

    private static String stdout(List<JsonNode> messages) {
        return messages.stream()
                .filter(m -> m.path("type").asText().equals("stdout"))
                .map(m -> m.get("data").asText())
                .collect(Collectors.joining());
    }

    @Test
    void catEchoesStdinAndExitsWhenTheClientCloses() throws Exception {
        start("");
        WsSession ws = WsSession.open(port(), "cat-1", true);
        ws.sendText("{\"agentId\":\"local\",\"command\":[\"cat\"]}");
        JsonNode started = ws.next();
        assertThat(started.get("type").asText()).as(started.toString()).isEqualTo("started");
        assertThat(started.get("pid").asLong()).isPositive();

        ws.sendText("one\n");
        StringBuilder seen = new StringBuilder();
        while (!seen.toString().contains("one\n")) {
            seen.append(ws.next().get("data").asText());
        }
        ws.sendText("two\n").sendBinary("thr\u00e9e\n".getBytes(StandardCharsets.UTF_8));
        ws.close();
        List<JsonNode> rest = ws.untilEnd();
        assertThat(seen + stdout(rest)).isEqualTo("one\ntwo\nthr\u00e9e\n");
        JsonNode exit = rest.get(rest.size() - 1);
        assertThat(exit.get("type").asText()).as(exit.toString()).isEqualTo("exit");
        assertThat(exit.get("exitCode").asInt()).isZero();
        assertThat(ws.awaitClose()).isEqualTo(1000);

        JsonNode status = JSON.readTree(call("GET", "/api/v1/exec/cat-1", null).body());
        assertThat(status.get("state").asText()).isEqualTo("EXITED");
        assertThat(status.get("exitCode").asInt()).isZero();
    }

    @Test
    void aPolicyWithoutAllowInteractiveRefusesWithAStructured403() throws Exception {
        start("mycelium.node.policies = [{name = pipes-only, principals = [\"" + USER
                + "\"], allowedCommands = [\"*\"], allowInteractive = false}]");
        WsSession ws = WsSession.open(port(), "refused-1", true);
        ws.sendText("{\"agentId\":\"local\",\"command\":[\"cat\"]}");
        JsonNode error = ws.next();
        assertThat(error.get("type").asText()).as(error.toString()).isEqualTo("error");
        assertThat(error.get("status").asInt()).isEqualTo(403);
        assertThat(error.get("code").asText()).isEqualTo("denied");
        assertThat(error.get("message").asText()).contains("interactive");
        assertThat(error.get("details").get("policy").asText()).isEqualTo("pipes-only");
        assertThat(ws.awaitClose()).isEqualTo(1000);

        JsonNode status =
                JSON.readTree(call("GET", "/api/v1/exec/refused-1", null).body());
        assertThat(status.get("state").asText()).isEqualTo("DENIED");
    }

    @Test
    void badRequestsAreAnsweredInTheSocketAndNonWebSocketRequestsBeforeIt() throws Exception {
        start("");
        WsSession ws = WsSession.open(port(), "bad-1", true);
        ws.sendText("{\"agentId\":\"local\",\"command\":[\"cat\"],\"stdin\":\"x\"}");
        JsonNode error = ws.next();
        assertThat(error.get("status").asInt()).as(error.toString()).isEqualTo(400);
        assertThat(error.get("details").get("field").asText()).isEqualTo("stdin");
        assertThat(ws.awaitClose()).isEqualTo(1000);

        WsSession otherId = WsSession.open(port(), "bad-2", true);
        otherId.sendText("{\"id\":\"elsewhere\",\"agentId\":\"local\",\"command\":[\"cat\"]}");
        assertThat(otherId.next().get("details").get("field").asText()).isEqualTo("id");

        WsSession binary = WsSession.open(port(), "bad-3", true);
        binary.sendBinary(new byte[] {1, 2});
        assertThat(binary.next().get("code").asText()).isEqualTo("invalid_request");

        HttpResponse<String> plain = call("GET", "/api/v1/exec/bad-4/interactive", null);
        assertThat(plain.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(plain.body()).get("code").asText()).isEqualTo("invalid_request");

        HttpResponse<String> post =
                call("POST", "/api/v1/exec", "{\"agentId\":\"local\",\"command\":[\"cat\"],\"interactive\":true}");
        assertThat(post.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(post.body()).get("details").get("field").asText())
                .isEqualTo("interactive");
    }

    @Test
    void deleteCancelsAnInteractiveExecution() throws Exception {
        start("");
        WsSession ws = WsSession.open(port(), "cancel-1", true);
        ws.sendText("{\"agentId\":\"local\",\"command\":[\"cat\"]}");
        assertThat(ws.next().get("type").asText()).isEqualTo("started");

        HttpResponse<String> cancelled = call("DELETE", "/api/v1/exec/cancel-1", null);
        assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(200);
        List<JsonNode> rest = ws.untilEnd();
        JsonNode last = rest.get(rest.size() - 1);
        assertThat(last.get("type").asText()).as(last.toString()).isEqualTo("error");
        assertThat(last.get("code").asText()).isEqualTo("cancelled");
        assertThat(ws.awaitClose()).isEqualTo(1000);
        JsonNode status =
                JSON.readTree(call("GET", "/api/v1/exec/cancel-1", null).body());
        assertThat(status.get("cancelled").asBoolean()).as(status.toString()).isTrue();
    }

    @Test
    void aClientThatStopsReadingStopsTheProcessInsteadOfFillingMemory() throws Exception {
        start("");
        long total = 256L * 1024 * 1024;
        WsSession ws = WsSession.open(port(), "slow-1", false);
        ws.sendText("{\"agentId\":\"local\",\"command\":[\"dd\",\"if=/dev/zero\",\"bs=65536\",\"count=" + total / 65536
                + "\",\"status=none\"]}");
        JsonNode started = ws.next();
        assertThat(started.get("type").asText()).as(started.toString()).isEqualTo("started");
        long pid = started.get("pid").asLong();

        // The client reads nothing more: dd must stall once the fixed windows along the way are full.
        long before = written(pid);
        Thread.sleep(3000);
        long stalled = written(pid);
        Thread.sleep(1000);
        long later = written(pid);
        assertThat(later).as("dd still writes while nobody reads").isEqualTo(stalled);
        assertThat(stalled)
                .as("bytes written while the client read nothing (started at %d)", before)
                .isLessThan(64L * 1024 * 1024);

        assertThat(call("DELETE", "/api/v1/exec/slow-1", null).statusCode()).isEqualTo(200);
        ws.request(Long.MAX_VALUE);
        List<JsonNode> rest = ws.untilEnd();
        assertThat(rest.get(rest.size() - 1).get("code").asText()).isEqualTo("cancelled");
    }

    /** Bytes the process wrote so far, from the kernel's accounting. */
    private static long written(long pid) throws Exception {
        Path io = Path.of("/proc/" + pid + "/io");
        if (!Files.exists(io)) {
            throw new AssertionError("dd ended although the client read nothing: its output was buffered somewhere");
        }
        for (String line : Files.readAllLines(io)) {
            if (line.startsWith("wchar:")) {
                return Long.parseLong(line.substring(6).trim());
            }
        }
        throw new AssertionError("no wchar in /proc/" + pid + "/io");
    }

    @Test
    void ttyRunsTheCommandOnATerminalOfTheRequestedSizeWhenThePolicyAllowsIt() throws Exception {
        start("mycelium.node.policies = [{name = terminals, principals = [\"" + USER
                + "\"], allowedCommands = [\"*\"], allowInteractive = true, allowTty = true}]");
        WsSession ws = WsSession.open(port(), "tty-1", true);
        ws.sendText("{\"agentId\":\"local\",\"command\":[\"sh\",\"-c\",\"tty -s && echo tty; stty size; cat\"],"
                + "\"tty\":true,\"terminal\":{\"cols\":120,\"rows\":40}}");
        assertThat(ws.next().get("type").asText()).isEqualTo("started");
        StringBuilder seen = new StringBuilder();
        while (!seen.toString().contains("40 120")) {
            seen.append(ws.next().get("data").asText());
        }
        assertThat(seen.toString()).startsWith("tty\r\n");
        ws.sendText("typed\n");
        while (!seen.toString().contains("typed\r\ntyped\r\n")) {
            seen.append(ws.next().get("data").asText());
        }
        ws.close();
        List<JsonNode> rest = ws.untilEnd();
        JsonNode exit = rest.get(rest.size() - 1);
        assertThat(exit.get("type").asText()).as(exit.toString()).isEqualTo("exit");
        assertThat(exit.get("exitCode").asInt()).isZero();

        HttpResponse<String> unary = call(
                "POST",
                "/api/v1/exec",
                "{\"agentId\":\"local\",\"command\":[\"sh\",\"-c\",\"tty -s && echo tty\"],\"tty\":true}");
        assertThat(JSON.readTree(unary.body()).get("stdout").asText())
                .as(unary.body())
                .isEqualTo("tty\r\n");
        HttpResponse<String> pipes = call(
                "POST", "/api/v1/exec", "{\"agentId\":\"local\",\"command\":[\"sh\",\"-c\",\"tty -s || echo no\"]}");
        assertThat(JSON.readTree(pipes.body()).get("stdout").asText()).isEqualTo("no\n");
    }

    @Test
    void ttyIsRefusedWhenThePolicyDoesNotAllowIt() throws Exception {
        start("");
        HttpResponse<String> r =
                call("POST", "/api/v1/exec", "{\"agentId\":\"local\",\"command\":[\"tty\"],\"tty\":true}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
        assertThat(JSON.readTree(r.body()).get("message").asText()).contains("TTY");
    }
}

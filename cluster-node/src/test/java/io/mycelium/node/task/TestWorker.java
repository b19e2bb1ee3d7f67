package io.mycelium.node.task;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A worker agent for tests: a WebSocket to {@code /api/v1/agents/connect} whose messages arrive in a queue. */
public final class TestWorker implements WebSocket.Listener {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();
    private WebSocket socket;

    private TestWorker() {}

    /** Connects, without a hello yet. */
    public static TestWorker open(HttpClient http, int port) throws Exception {
        TestWorker w = new TestWorker();
        w.socket = http.newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/api/v1/agents/connect"), w)
                .get(10, TimeUnit.SECONDS);
        return w;
    }

    /** Says hello and waits for the welcome. */
    public TestWorker hello(String agentId, String... capabilities) throws Exception {
        var hello = JSON.createObjectNode().put("type", "hello").put("agentId", agentId);
        for (String c : capabilities) {
            hello.withArray("capabilities").add(c);
        }
        send(hello.toString());
        assertThat(nextOf("welcome").get("agentId").asText()).isEqualTo(agentId);
        return this;
    }

    public void send(String text) {
        socket.sendText(text, true).join();
    }

    /** Sends {@code {"type": type, "taskId": .., "attempt": .., extra...}}; {@code extra} starts with a comma. */
    public void send(String type, String taskId, int attempt, String extra) {
        send("{\"type\":\"" + type + "\",\"taskId\":\"" + taskId + "\",\"attempt\":" + attempt + extra + "}");
    }

    /** The next message; fails after 20 s. */
    public JsonNode next() throws InterruptedException {
        JsonNode m = messages.poll(20, TimeUnit.SECONDS);
        assertThat(m).as("a message from the node").isNotNull();
        return m;
    }

    /** The next message, which must be of {@code type}. */
    public JsonNode nextOf(String type) throws InterruptedException {
        JsonNode m = next();
        assertThat(m.get("type").asText()).as(m.toString()).isEqualTo(type);
        return m;
    }

    /** Closes the connection normally. */
    public void close() {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
    }

    /** Kills the worker: the TCP connection is dropped without a close. */
    public void kill() {
        socket.abort();
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            try {
                messages.add(JSON.readTree(partial.toString()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            partial.setLength(0);
        }
        ws.request(1);
        return null;
    }
}

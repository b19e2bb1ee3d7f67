package io.mycelium.node.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real WebSocket client (the JDK's) for the interactive endpoint: sends the request and stdin, collects the JSON
 * messages, and reads only as many as it is asked to when {@code autoRead} is off (a slow consumer).
 */
final class WsSession implements WebSocket.Listener {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final boolean autoRead;
    private final StringBuilder partial = new StringBuilder();
    private WebSocket socket;

    private WsSession(boolean autoRead) {
        this.autoRead = autoRead;
    }

    /** Opens {@code ws://127.0.0.1:PORT/api/v1/exec/ID/interactive}. */
    static WsSession open(int port, String id, boolean autoRead) throws Exception {
        WsSession session = new WsSession(autoRead);
        session.socket = HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/api/v1/exec/" + id + "/interactive"), session)
                .get(10, TimeUnit.SECONDS);
        return session;
    }

    WsSession sendText(String text) throws Exception {
        socket.sendText(text, true).get(10, TimeUnit.SECONDS);
        return this;
    }

    WsSession sendBinary(byte[] bytes) throws Exception {
        socket.sendBinary(ByteBuffer.wrap(bytes), true).get(10, TimeUnit.SECONDS);
        return this;
    }

    /** Ends stdin: our side's close; the node's messages keep coming until its close. */
    WsSession close() throws Exception {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "stdin done").get(10, TimeUnit.SECONDS);
        return this;
    }

    /** Lets {@code n} more messages in (for a session opened without autoRead). */
    void request(long n) {
        socket.request(n);
    }

    /** The next message, or an AssertionError after 30 s. */
    JsonNode next() throws InterruptedException {
        JsonNode m = messages.poll(30, TimeUnit.SECONDS);
        if (m == null) {
            throw new AssertionError("no message within 30 s");
        }
        return m;
    }

    /** The status code of the node's close frame. */
    int awaitClose() throws Exception {
        return closed.get(30, TimeUnit.SECONDS);
    }

    /** Messages up to and including the first of type exit or error. */
    java.util.List<JsonNode> untilEnd() throws InterruptedException {
        java.util.List<JsonNode> all = new java.util.ArrayList<>();
        while (true) {
            JsonNode m = next();
            all.add(m);
            String type = m.path("type").asText();
            if (type.equals("exit") || type.equals("error")) {
                return all;
            }
        }
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            try {
                messages.add(JSON.readTree(partial.toString()));
            } catch (Exception e) {
                closed.completeExceptionally(e);
            }
            partial.setLength(0);
        }
        if (autoRead || !last) {
            webSocket.request(1);
        }
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        closed.completeExceptionally(new AssertionError("the node sent a binary message"));
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.completeExceptionally(error);
    }
}

package io.mycelium.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The CLI's calls to a node's admin API (JSON in and out). A JSON error answer becomes {@link ApiCallException}
 * with the API's code and message; a node that is not listening, a clear message saying so.
 */
final class AdminApiClient {
    static final String DEFAULT_API = "http://127.0.0.1:8558";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    AdminApiClient(String api) {
        this.base = URI.create(api.endsWith("/") ? api : api + "/");
    }

    /** An error answer of the API. */
    static final class ApiCallException extends RuntimeException {
        final int status;
        final String code;

        ApiCallException(int status, String code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }
    }

    JsonNode send(String method, String path, HttpRequest.BodyPublisher body, String contentType)
            throws IOException, InterruptedException {
        URI uri = base.resolve(path.startsWith("/") ? path.substring(1) : path);
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofMinutes(5))
                .header("content-type", contentType)
                .method(method, body)
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new IOException(
                    "no node answers at " + base + " (start one with `mycelium node` or `mycelium mesh"
                            + " run`, or pass --api)",
                    e);
        }
        JsonNode json = response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
        if (response.statusCode() >= 300) {
            throw new ApiCallException(
                    response.statusCode(),
                    json.path("code").asText("http_" + response.statusCode()),
                    json.path("message").asText(response.body()) + " ("
                            + json.path("code").asText() + ")");
        }
        return json;
    }

    JsonNode sendJson(String method, String path, Object body) throws IOException, InterruptedException {
        return send(
                method, path, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)), "application/json");
    }
}

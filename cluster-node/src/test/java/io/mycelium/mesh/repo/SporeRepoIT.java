package io.mycelium.mesh.repo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.mycelium.mesh.TestSpores;
import io.mycelium.mesh.spore.Spore;
import io.mycelium.node.Node;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two nodes in one cluster: upload to one, the other fetches from it over the admin port and checks the digest. */
class SporeRepoIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private Node a;
    private Node b;

    @AfterEach
    void stop() throws Exception {
        for (Node node : new Node[] {b, a}) {
            if (node != null) {
                node.stop().toCompletableFuture().get();
            }
        }
    }

    private Node start(String name, int port, int seedPort) throws Exception {
        return Node.start(ConfigFactory.parseMap(Map.of(
                        "mycelium.data-dir",
                        dir.resolve(name).toString(),
                        "mycelium.node.http.port",
                        0,
                        "pekko.remote.artery.canonical.port",
                        port))
                .withFallback(ConfigFactory.parseString(
                        "pekko.cluster.seed-nodes = [\"pekko://mycelium@127.0.0.1:" + seedPort + "\"]"))
                .withFallback(ConfigFactory.load()));
    }

    @Test
    void uploadVerifyAndFetchFromAPeer() throws Exception {
        int portA = freePort();
        a = start("a", portA, portA);
        b = start("b", freePort(), portA);
        Spore spore = TestSpores.pack(dir, "billing", "1", "#!/bin/sh\necho hi\n");

        HttpResponse<String> put =
                send(a, "POST", "/api/v1/spores", Files.readAllBytes(TestSpores.file(dir, "billing", "1")));
        assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
        JsonNode body = JSON.readTree(put.body());
        assertThat(body.path("digest").asText()).isEqualTo(spore.digest());
        assertThat(body.path("name").asText()).isEqualTo("billing");

        HttpResponse<String> junk = send(a, "POST", "/api/v1/spores", "not a zip".getBytes());
        assertThat(junk.statusCode()).isEqualTo(422);
        assertThat(JSON.readTree(junk.body()).path("code").asText()).isEqualTo("spore_malformed");

        assertThat(send(b, "GET", "/api/v1/spores/" + spore.digest(), null).statusCode())
                .isEqualTo(404);
        // b learns a's admin URL through Distributed Data once both are up.
        HttpResponse<String> fetched = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            fetched = send(b, "POST", "/api/v1/spores/" + spore.digest() + "/fetch", new byte[0]);
            if (fetched.statusCode() == 200) {
                break;
            }
            Thread.sleep(300);
        }
        assertThat(fetched.statusCode()).as(fetched.body()).isEqualTo(200);
        HttpResponse<byte[]> copy = http.send(
                request(b, "GET", "/api/v1/spores/" + spore.digest(), null), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(copy.statusCode()).isEqualTo(200);
        assertThat(copy.body()).isEqualTo(Files.readAllBytes(TestSpores.file(dir, "billing", "1")));

        HttpResponse<String> unknown = send(b, "POST", "/api/v1/spores/" + "0".repeat(64) + "/fetch", new byte[0]);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(unknown.body()).path("code").asText()).isEqualTo("spore_not_found");
        assertThat(send(b, "GET", "/api/v1/spores/nothex", null).statusCode()).isEqualTo(400);
    }

    private HttpResponse<String> send(Node node, String method, String path, byte[] body) throws Exception {
        return http.send(request(node, method, path, body), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest request(Node node, String method, String path, byte[] body) {
        return HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + node.httpAddress().getPort() + path))
                .timeout(Duration.ofSeconds(30))
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

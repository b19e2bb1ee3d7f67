package io.mycelium.mesh.fabric;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.mycelium.mesh.TestSpores;
import io.mycelium.mesh.spore.Spore;
import io.mycelium.node.Node;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plans, budgets and endpoints over the admin API of a real node, and plans surviving a restart. */
class ControlFabricIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private Node node;

    @AfterEach
    void stop() throws Exception {
        if (node != null) {
            node.stop().toCompletableFuture().get();
        }
    }

    private Node start() throws Exception {
        node = Node.start(ConfigFactory.parseMap(
                        Map.of("mycelium.data-dir", dir.resolve("data").toString(), "mycelium.node.http.port", 0))
                .withFallback(ConfigFactory.load()));
        return node;
    }

    @Test
    void plansBudgetsAndEndpoints() throws Exception {
        start();
        Spore v1 = TestSpores.pack(dir, "billing", "1", "#!/bin/sh\n");
        Spore v2 = TestSpores.pack(dir, "billing", "2", "#!/bin/sh\n# two\n");

        HttpResponse<String> early = send("PUT", "/api/v1/plans/billing", "{\"digest\":\"" + v1.digest() + "\"}");
        assertThat(early.statusCode()).as(early.body()).isEqualTo(422);
        assertThat(code(early)).isEqualTo("spore_not_found");

        for (String version : new String[] {"1", "2"}) {
            HttpResponse<String> put = http.send(
                    request("POST", "/api/v1/spores")
                            .POST(HttpRequest.BodyPublishers.ofFile(TestSpores.file(dir, "billing", version)))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
        }

        HttpResponse<String> published = send("PUT", "/api/v1/plans/billing", "{\"digest\":\"" + v1.digest() + "\"}");
        assertThat(published.statusCode()).as(published.body()).isEqualTo(200);
        JsonNode fact = JSON.readTree(published.body());
        assertThat(fact.path("plan").path("digest").asText()).isEqualTo(v1.digest());
        assertThat(fact.path("plan").path("min").asInt()).isEqualTo(1);
        assertThat(fact.path("by").asText()).isEqualTo(System.getProperty("user.name"));

        HttpResponse<String> second = send(
                "PUT", "/api/v1/plans", "{\"app\":\"billing\",\"digest\":\"" + v2.digest() + "\",\"min\":2,\"max\":3}");
        assertThat(second.statusCode()).as(second.body()).isEqualTo(200);

        JsonNode plan = awaitJson(
                "/api/v1/plans/billing",
                j -> j.path("plan").path("digest").asText().equals(v2.digest()));
        assertThat(plan.path("plan").path("max").asInt()).isEqualTo(3);
        assertThat(plan.path("history")).hasSize(2);
        assertThat(plan.path("history").get(0).path("plan").path("digest").asText())
                .isEqualTo(v1.digest());
        assertThat(JSON.readTree(send("GET", "/api/v1/plans", null).body())
                        .path("plans")
                        .has("billing"))
                .isTrue();

        assertThat(code(send("GET", "/api/v1/plans/nope", null))).isEqualTo("plan_not_found");
        HttpResponse<String> bad = send("PUT", "/api/v1/plans/billing", "{\"digest\":\"xyz\"}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(bad.body()).path("message").asText()).startsWith("digest:");
        assertThat(send("PUT", "/api/v1/plans/Bad_Name", "{\"digest\":\"" + v1.digest() + "\"}")
                        .statusCode())
                .isEqualTo(400);
        assertThat(send("PUT", "/api/v1/plans/billing", "{\"digest\":\"" + v1.digest() + "\",\"min\":3,\"max\":2}")
                        .statusCode())
                .isEqualTo(400);

        assertThat(send("PUT", "/api/v1/budgets/billing", "{\"maxInstances\":2,\"memoryMb\":128}")
                        .statusCode())
                .isEqualTo(200);
        JsonNode budget =
                awaitJson("/api/v1/budgets/billing", j -> j.path("maxInstances").asInt() == 2);
        assertThat(budget.path("memoryMb").asInt()).isEqualTo(128);
        assertThat(code(send("GET", "/api/v1/budgets/nope", null))).isEqualTo("budget_not_found");

        assertThat(JSON.readTree(send("GET", "/api/v1/endpoints/billing", null).body())
                        .path("endpoints"))
                .isEmpty();
        ControlFabric fabric = node.mesh().fabric();
        Endpoint a = new Endpoint("billing", "http://127.0.0.1:1111", "agent-1");
        Endpoint b = new Endpoint("billing", "http://127.0.0.1:2222", "agent-2");
        fabric.register(a);
        fabric.register(b);
        awaitJson("/api/v1/endpoints/billing", j -> j.path("endpoints").size() == 2);
        // A newer endpoint of the same agent replaces the older; withdrawing the older is then a no-op.
        Endpoint a2 = new Endpoint("billing", "http://127.0.0.1:3333", "agent-1");
        fabric.register(a2);
        fabric.withdraw(a);
        fabric.withdraw(b);
        JsonNode left =
                awaitJson("/api/v1/endpoints/billing", j -> j.path("endpoints").size() == 1);
        assertThat(left.path("endpoints").get(0).path("url").asText()).isEqualTo("http://127.0.0.1:3333");

        node.stop().toCompletableFuture().get();
        node = null;
        start();
        JsonNode recovered = awaitJson("/api/v1/plans/billing", j -> j.has("plan"));
        assertThat(recovered.path("plan").path("digest").asText()).isEqualTo(v2.digest());
        assertThat(awaitJson("/api/v1/budgets/billing", j -> j.has("maxInstances"))
                        .path("maxInstances")
                        .asInt())
                .isEqualTo(2);
    }

    private JsonNode awaitJson(String path, Predicate<JsonNode> done) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = send("GET", path, null);
            last = JSON.readTree(r.body());
            if (r.statusCode() == 200 && done.test(last)) {
                return last;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(path + " never matched; last: " + last);
    }

    private static String code(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body()).path("code").asText();
    }

    private HttpRequest.Builder request(String method, String path) {
        return HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + node.httpAddress().getPort() + path))
                .timeout(Duration.ofSeconds(30));
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        return http.send(
                request(method, path)
                        .header("content-type", "application/json")
                        .method(
                                method,
                                body == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}

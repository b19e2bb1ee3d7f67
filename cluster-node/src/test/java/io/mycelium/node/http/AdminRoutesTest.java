package io.mycelium.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import io.mycelium.Mycelium;
import io.mycelium.api.Json;
import io.mycelium.api.identity.AdminSecurity;
import io.mycelium.api.identity.BearerTokens;
import io.mycelium.api.identity.IdentitySettings;
import io.mycelium.api.ratelimit.PrincipalRateLimiter;
import io.mycelium.api.ratelimit.RateLimits;
import io.mycelium.exec.ExecService;
import io.mycelium.exec.ExecSettings;
import io.mycelium.exec.Execution;
import io.mycelium.exec.policy.ExecPolicy;
import io.mycelium.exec.policy.PolicyStore;
import io.mycelium.exec.policy.ResourceLimits;
import io.mycelium.host.ClusterTestKit;
import io.mycelium.host.HostContext;
import io.mycelium.host.HostDirectory;
import io.mycelium.host.HostSpec;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin routes over real HTTP on 127.0.0.1, on a one-member cluster with the persistence testkit's journal and the
 * local agent: status codes and JSON errors for rate limits and malformed bodies. The principal {@code limited}
 * (a bearer token) may send one request a minute.
 */
class AdminRoutesTest {
    private static final String USER = System.getProperty("user.name");
    private static final String LIMITED_TOKEN = "limited-token-0123456789";

    @TempDir
    static Path dataDir;

    private static ActorTestKit kit;
    private static Mycelium mycelium;
    private static ScheduledExecutorService timeouts;
    private static ServerBinding binding;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        String overrides = "mycelium.node.identity.tokens = [{principal = limited, sha256 = \""
                + BearerTokens.sha256Hex(LIMITED_TOKEN) + "\"}]\n"
                + "pekko.http.server.parsing.max-content-length = 2k\n"
                // The audit route opens the read journal's database; keep it out of the working directory.
                + "mycelium.data-dir = \"" + dataDir + "\"\n";
        Config config = ClusterTestKit.config(overrides);
        kit = ClusterTestKit.start("AdminRoutesTest", overrides);

        ExecSettings exec = new ExecSettings(
                1 << 20, Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30));
        ActorRef<HostDirectory.Command> hosts =
                kit.spawn(HostDirectory.create(List.of(HostSpec.local("local", Map.of()))));
        ActorRef<PolicyStore.Command> policies = kit.spawn(PolicyStore.create(List.of(new ExecPolicy(
                "everyone",
                List.of("*"),
                Map.of(),
                List.of("*"),
                List.of("rm *"),
                List.of(),
                List.of("/"),
                Duration.ofMinutes(1),
                false,
                false,
                false,
                List.of(),
                ResourceLimits.NONE))));
        mycelium = Mycelium.create(kit.system());
        ClusterSharding sharding = ClusterSharding.get(kit.system());
        sharding.init(Entity.of(
                HostContext.TYPE,
                ctx -> HostContext.create(ctx, mycelium, sharding, hosts, Duration.ofMinutes(1), exec.askTimeout())));
        sharding.init(Entity.of(Execution.TYPE, ctx -> Execution.create(ctx.getEntityId(), sharding, exec)));

        timeouts = Executors.newSingleThreadScheduledExecutor();
        RateLimits open = new RateLimits(0, 64, 64, Duration.ofSeconds(10));
        RateLimits oneAMinute = new RateLimits(1, 64, 64, Duration.ofSeconds(10));
        PrincipalRateLimiter limiter = new PrincipalRateLimiter(p -> p.equals("limited") ? oneAMinute : open, timeouts);
        ExecService service = new ExecService(kit.system(), sharding, hosts, policies, limiter, exec);
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        AdminServer server = new AdminServer(
                kit.system(),
                io.mycelium.mesh.MeshNode.create(
                        kit.system(), io.mycelium.mesh.MeshSettings.fromConfig(config), "mycelium-node"),
                AdminSecurity.load(IdentitySettings.fromConfig(config), loopback),
                service,
                hosts,
                policies,
                kit.system()
                        .systemActorOf(
                                io.mycelium.exec.ActiveExecutions.create(
                                        org.apache.pekko.persistence.query.PersistenceQuery.get(kit.system())
                                                .getReadJournalFor(
                                                        org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal
                                                                .class,
                                                        org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal
                                                                .Identifier()),
                                        sharding,
                                        Duration.ofHours(1)),
                                "active-executions",
                                org.apache.pekko.actor.typed.Props.empty()),
                new io.mycelium.task.TaskService(
                        kit.system(),
                        sharding,
                        service,
                        kit.system()
                                .systemActorOf(
                                        io.mycelium.task.TaskIndex.create(
                                                org.apache.pekko.persistence.query.PersistenceQuery.get(kit.system())
                                                        .getReadJournalFor(
                                                                org.apache.pekko.persistence.jdbc.query.javadsl
                                                                        .JdbcReadJournal.class,
                                                                org.apache.pekko.persistence.jdbc.query.javadsl
                                                                        .JdbcReadJournal.Identifier()),
                                                sharding,
                                                Duration.ofHours(1),
                                                new io.mycelium.node.observability.NodeMetrics()),
                                        "task-index",
                                        org.apache.pekko.actor.typed.Props.empty()),
                        kit.system()
                                .systemActorOf(
                                        io.mycelium.task.TaskDispatcher.create(sharding),
                                        "task-dispatcher",
                                        org.apache.pekko.actor.typed.Props.empty()),
                        io.mycelium.task.TaskSettings.fromConfig(config)),
                new io.mycelium.api.ratelimit.ActionRateLimiter(java.util.Map.of()),
                new io.mycelium.node.observability.NodeMetrics(),
                kit.system().ignoreRef(),
                new io.mycelium.node.journal.JournalAdmin(
                        io.mycelium.journal.JournalSettings.fromConfig(config), dataDir.resolve("backups")),
                List.of(USER),
                List.of(USER),
                exec.askTimeout());
        binding = server.bind("127.0.0.1", 0).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        if (timeouts != null) {
            timeouts.shutdownNow();
        }
        mycelium.close();
        ClusterTestKit.stop(kit);
    }

    private static HttpResponse<String> call(String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + path))
                .timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json");
        if (token != null) {
            b.header("authorization", "Bearer " + token);
        }
        b.method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> call(String method, String path, String body) throws Exception {
        return call(method, path, body, null);
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        return Json.MAPPER.readTree(r.body());
    }

    private static void assertError(HttpResponse<String> r, int status, String code) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode body = json(r);
        assertThat(body.get("code").asText()).isEqualTo(code);
        assertThat(body.get("message").asText()).isNotBlank();
        assertThat(body.get("details").isObject()).isTrue();
    }

    @Test
    void overTheRateLimitAnswers429WithRetryAfterInTheHeaderAndTheBody() throws Exception {
        String echo = "{\"agentId\":\"local\",\"command\":[\"echo\",\"once\"]}";
        HttpResponse<String> first = call("POST", "/api/v1/exec", echo, LIMITED_TOKEN);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(json(first).get("stdout").asText()).isEqualTo("once\n");

        HttpResponse<String> limited = call("POST", "/api/v1/exec", echo, LIMITED_TOKEN);
        assertError(limited, 429, "rate_limited");
        long retryAfter =
                Long.parseLong(limited.headers().firstValue("retry-after").orElseThrow());
        assertThat(retryAfter).isBetween(1L, 60L);
        assertThat(json(limited).get("retryAfter").asLong()).isEqualTo(retryAfter);
        assertThat(json(limited).get("message").asText()).contains("limited");

        assertThat(call("POST", "/api/v1/exec", echo).statusCode())
                .as("the local user has limits of its own")
                .isEqualTo(200);
    }

    @Test
    void malformedExecBodiesAre400NamingWhereAndWhat() throws Exception {
        HttpResponse<String> broken = call("POST", "/api/v1/exec", "{\"agentId\": \"local\",\n \"command\": [");
        assertError(broken, 400, "malformed_json");
        assertThat(json(broken).get("details").get("line").asInt()).isEqualTo(2);

        assertError(call("POST", "/api/v1/exec", ""), 400, "malformed_json");
        assertError(call("POST", "/api/v1/exec", "[1, 2]"), 400, "invalid_request");

        HttpResponse<String> noCommand = call("POST", "/api/v1/exec", "{\"agentId\":\"local\",\"command\":[]}");
        assertError(noCommand, 400, "invalid_request");
        assertThat(json(noCommand).get("details").get("field").asText()).isEqualTo("command");

        HttpResponse<String> badTimeout =
                call("POST", "/api/v1/exec", "{\"agentId\":\"local\",\"command\":[\"true\"],\"timeout\":\"soon\"}");
        assertError(badTimeout, 400, "invalid_request");
        assertThat(json(badTimeout).get("details").get("field").asText()).isEqualTo("timeout");

        HttpResponse<String> unknownHost =
                call("POST", "/api/v1/exec", "{\"agentId\":\"web9\",\"command\":[\"true\"]}");
        assertError(unknownHost, 404, "not_found");

        HttpResponse<String> tooLarge =
                call("POST", "/api/v1/exec", "{\"agentId\":\"local\",\"command\":[\"" + "x".repeat(4096) + "\"]}");
        assertError(tooLarge, 413, "body_too_large");
    }

    @Test
    void malformedHostAndPolicyBodiesAre400AndChangeNothing() throws Exception {
        assertError(call("POST", "/api/v1/hosts", "{\"id\":"), 400, "malformed_json");
        HttpResponse<String> badTransport =
                call("POST", "/api/v1/hosts", "{\"id\":\"web1\",\"transport\":\"telnet\",\"address\":\"127.0.0.9\"}");
        assertError(badTransport, 400, "invalid_request");
        assertThat(json(badTransport).get("details").get("field").asText()).isEqualTo("transport");
        HttpResponse<String> noAddress = call("POST", "/api/v1/hosts", "{\"id\":\"web1\",\"transport\":\"openssh\"}");
        assertError(noAddress, 400, "invalid_request");
        assertThat(json(noAddress).get("message").asText()).contains("address");
        assertThat(call("GET", "/api/v1/hosts", null).body()).doesNotContain("web1");

        HttpResponse<String> unknownField =
                call("PUT", "/api/v1/policies", "{\"policies\":[{\"name\":\"p\",\"principals\":[\"*\"],\"sudo\":1}]}");
        assertError(unknownField, 400, "invalid_request");
        assertThat(json(unknownField).get("message").asText()).contains("sudo");
        HttpResponse<String> twice = call(
                "PUT",
                "/api/v1/policies",
                "{\"policies\":[{\"name\":\"p\",\"principals\":[\"*\"]},{\"name\":\"p\",\"principals\":[\"*\"]}]}");
        assertError(twice, 400, "invalid_request");
        assertThat(json(call("GET", "/api/v1/policies", null)).get("source").asText())
                .isEqualTo("config");
    }

    @Test
    void approvalsAndUnknownRoutesAnswerJsonErrors() throws Exception {
        HttpResponse<String> badReason = call("POST", "/api/v1/exec/x-1/approve", "{\"reason\": 42}");
        assertError(badReason, 400, "invalid_request");
        assertThat(json(badReason).get("details").get("field").asText()).isEqualTo("reason");
        assertError(call("POST", "/api/v1/exec/never-was/approve", ""), 404, "not_found");
        assertError(call("POST", "/api/v1/exec/x-1/approve", "", LIMITED_TOKEN), 403, "not_an_approver");
        assertError(call("GET", "/api/v1/nothing-here", null), 404, "not_found");
        assertError(call("PATCH", "/api/v1/policies", "{}"), 405, "method_not_allowed");
    }
}

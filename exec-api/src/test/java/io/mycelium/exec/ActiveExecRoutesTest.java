package io.mycelium.exec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.mycelium.exec.policy.PolicyDecision;
import io.mycelium.exec.policy.ResourceLimits;
import io.mycelium.journal.JournalSchema;
import io.mycelium.journal.JournalSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /api/v1/exec} over real {@link Execution} entities writing their facts to an H2 journal, a real
 * {@link ActiveExecutions} index reading them back through the JDBC read journal, and a real HTTP server on loopback.
 */
class ActiveExecRoutesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    static Path dataDir;

    private static ActorTestKit testKit;
    private static ClusterSharding sharding;
    private static JdbcReadJournal journal;
    private static ServerBinding binding;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        testKit = ActorTestKit.create(
                "active-exec",
                JournalSettings.h2(dataDir)
                        .withFallback(ConfigFactory.parseString("""
                                pekko.remote.artery.canonical.port = 0
                                pekko.loglevel = WARNING
                                jdbc-read-journal.refresh-interval = 100ms
                                mycelium.node.exec.probe-interval = 1h
                                """))
                        .withFallback(ConfigFactory.load())
                        .resolve());
        Cluster cluster = Cluster.get(testKit.system());
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        JournalSchema.ensure(testKit.system()).toCompletableFuture().get(30, TimeUnit.SECONDS);
        sharding = ClusterSharding.get(testKit.system());
        ExecSettings settings =
                ExecSettings.fromConfig(testKit.system().settings().config());
        sharding.init(Entity.of(Execution.TYPE, ctx -> Execution.create(ctx.getEntityId(), sharding, settings)));
        journal = PersistenceQuery.get(testKit.system())
                .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());

        submit("run-a", "web1", false);
        sharding.entityRefFor(Execution.TYPE, "run-a").tell(new Execution.ProcessStart("web1", 42, Instant.now()));
        submit("auth-b", "web2", false);
        submit("pend-c", "web1", true);
        submit("done-d", "web1", false);
        sharding.entityRefFor(Execution.TYPE, "done-d")
                .tell(new Execution.ProcessExit(0, 0, false, Duration.ofMillis(5), Instant.now()));

        ActorRef<ActiveExecutions.Command> index =
                testKit.spawn(ActiveExecutions.create(journal, sharding, Duration.ofHours(1)));
        binding = Http.get(testKit.system())
                .newServerAt("127.0.0.1", 0)
                .bind(new ActiveExecRoutes(index, WAIT, testKit.system().scheduler()).routes())
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private static void submit(String id, String agentId, boolean approval) {
        Execution.ExecRequested requested = new Execution.ExecRequested(
                id,
                agentId,
                List.of("sleep", "60"),
                null,
                null,
                null,
                false,
                false,
                "alice",
                "127.0.0.1",
                null,
                Instant.now());
        PolicyDecision decision =
                new PolicyDecision.Allowed("p", approval, null, Map.of(), List.of(), ResourceLimits.NONE);
        sharding.entityRefFor(Execution.TYPE, id)
                .<Execution.Decision>ask(replyTo -> new Execution.Submit(requested, decision, replyTo), WAIT)
                .toCompletableFuture()
                .join();
    }

    private static HttpResponse<String> get(String query) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(
                                "http://127.0.0.1:" + binding.localAddress().getPort() + "/exec" + query))
                        .timeout(WAIT)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The ids listed for {@code query}, once the index shows {@code expected} of them (the query polls). */
    private static List<String> ids(String query, int expected) throws Exception {
        List<String> ids = List.of();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = get(query);
            if (r.statusCode() == 200) {
                ids = JSON.readTree(r.body()).get("executions").findValuesAsText("id");
                if (ids.size() == expected) {
                    return ids;
                }
            }
            Thread.sleep(100);
        }
        return ids;
    }

    @Test
    void listsTheOpenExecutionsOldestFirstWithoutTheEndedOnes() throws Exception {
        assertThat(ids("", 3)).containsExactly("run-a", "auth-b", "pend-c");
        JsonNode body = JSON.readTree(get("").body());
        assertThat(body.get("count").asInt()).isEqualTo(3);
        assertThat(body.get("truncated").asBoolean()).isFalse();
        JsonNode first = body.get("executions").get(0);
        assertThat(first.get("state").asText()).isEqualTo("RUNNING");
        assertThat(first.get("pid").asLong()).isEqualTo(42);
        assertThat(first.get("requestedBy").asText()).isEqualTo("alice");
    }

    @Test
    void filtersByHostStateAndLimit() throws Exception {
        assertThat(ids("?agentId=web1", 2)).containsExactly("run-a", "pend-c");
        assertThat(ids("?agentId=web2", 1)).containsExactly("auth-b");
        assertThat(ids("?agentId=nowhere", 0)).isEmpty();
        assertThat(ids("?state=running", 1)).containsExactly("run-a");
        assertThat(ids("?state=PENDING_APPROVAL,authorized", 2)).containsExactly("auth-b", "pend-c");
        assertThat(ids("?agentId=web1&state=running", 1)).containsExactly("run-a");
        assertThat(ids("?limit=1", 1)).containsExactly("run-a");
        assertThat(JSON.readTree(get("?limit=1").body()).get("truncated").asBoolean())
                .isTrue();
    }

    @Test
    void aNewFactMovesAnExecutionOutOfTheList() throws Exception {
        submit("short-e", "web3", false);
        assertThat(ids("?agentId=web3", 1)).containsExactly("short-e");
        sharding.entityRefFor(Execution.TYPE, "short-e")
                .tell(new Execution.RunFailed("process_start_failed", "no such file", Instant.now()));
        assertThat(ids("?agentId=web3", 0)).isEmpty();
    }

    @Test
    void aNewIndexRebuildsTheSameListFromTheFacts() throws Exception {
        ActorRef<ActiveExecutions.Command> fresh =
                testKit.spawn(ActiveExecutions.create(journal, sharding, Duration.ofHours(1)));
        ActiveExecutions.Reply reply = null;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            reply = AskPattern.<ActiveExecutions.Command, ActiveExecutions.Reply>ask(
                            fresh,
                            replyTo -> new ActiveExecutions.ListActive("web1", Set.of(), 100, replyTo),
                            WAIT,
                            testKit.system().scheduler())
                    .toCompletableFuture()
                    .get();
            if (reply instanceof ActiveExecutions.Listing) {
                break;
            }
            Thread.sleep(50);
        }
        assertThat(reply).isInstanceOf(ActiveExecutions.Listing.class);
        assertThat(((ActiveExecutions.Listing) reply)
                        .executions().stream().map(s -> s.id()).toList())
                .containsExactly("run-a", "pend-c");
    }

    @Test
    void badParametersGetJsonErrors() throws Exception {
        for (String query :
                List.of("?state=exited", "?state=bogus", "?limit=0", "?limit=x", "?agentid=web1", "?agentId=")) {
            HttpResponse<String> r = get(query);
            assertThat(r.statusCode()).as(query).isEqualTo(400);
            JsonNode error = JSON.readTree(r.body());
            assertThat(error.get("code").asText()).as(query).isEqualTo("invalid_request");
            assertThat(error.get("details").has("field")).as(query).isTrue();
        }
        assertThat(JSON.readTree(get("?state=exited").body()).get("message").asText())
                .contains("final");
    }
}

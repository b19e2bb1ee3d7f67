package io.mycelium.exec;

import io.mycelium.exec.policy.PolicyDecision;
import io.mycelium.exec.policy.PolicySet;
import io.mycelium.exec.policy.PolicyStore;
import io.mycelium.exec.policy.ResourceLimits;
import io.mycelium.host.ClusterTestKit;
import io.mycelium.host.HostContext;
import io.mycelium.host.HostDirectory;
import io.mycelium.host.HostSpec;
import io.mycelium.host.RunSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every message that crosses nodes, and every reply an asker on another node receives, goes through the configured
 * serialization and comes back equal: a message without a serializer is dropped between nodes, and its asker times
 * out.
 */
class ClusterMessagesTest {
    private static ActorTestKit kit;
    private static SerializationTestKit serialization;

    @BeforeAll
    static void start() {
        kit = ActorTestKit.create("ClusterMessagesTest", ClusterTestKit.config(""));
        serialization = new SerializationTestKit(kit.system());
    }

    @AfterAll
    static void stop() {
        ClusterTestKit.stop(kit);
    }

    private static <T> ActorRef<T> ref() {
        return kit.<T>createTestProbe().ref();
    }

    private static void roundTrips(Object... messages) {
        for (Object m : messages) {
            serialization.verifySerialization(m, true);
        }
    }

    private static final HostSpec HOST = new HostSpec(
            "web1", HostSpec.Transport.MINA, "127.0.0.9", 22, "deploy", null, null, true, Map.of("a", "b"));

    private static final ExecStatus STATUS = new ExecStatus(
            "x",
            "web1",
            ExecStatus.State.EXITED,
            List.of("echo", "hi"),
            "alice",
            "web",
            null,
            7,
            0,
            0,
            false,
            false,
            null,
            null,
            Instant.parse("2026-01-01T00:00:00Z"),
            null,
            null,
            Duration.ofMillis(3),
            List.of());

    @Test
    void hostContextMessagesAndReplies() {
        RunSpec spec = new RunSpec(List.of("echo", "hi"), Map.of("K", "v"), "/srv", null, false, Duration.ofSeconds(1));
        roundTrips(
                new HostContext.Run("x", HOST, spec, ref()),
                new HostContext.Exec("sdk-1", spec, ref()),
                new HostContext.Cancel("x", "alice"),
                new HostContext.IsRunning("x", ref()),
                new HostContext.Refused("not_found", "no host"));
        for (HostContext.RunState state : HostContext.RunState.values()) {
            roundTrips(state);
        }
    }

    @Test
    void hostDirectoryMessagesAndReplies() {
        roundTrips(
                new HostDirectory.Get("web1", ref()),
                new HostDirectory.ListAll(ref()),
                new HostDirectory.Register(HOST, "admin", ref()),
                new HostDirectory.Remove("web1", "admin", ref()),
                StatusReply.success(HOST),
                new HostDirectory.Hosts(List.of(HostSpec.local("local", Map.of()), HOST)));
    }

    @Test
    void policyStoreMessagesAndReplies() {
        roundTrips(
                new PolicyStore.Get(ref()),
                new PolicyStore.Reset("admin", ref()),
                new PolicySet(List.of(), "api", 3, Instant.parse("2026-01-01T00:00:00Z"), "admin"));
    }

    @Test
    void executionMessagesAndReplies() {
        PolicyDecision.Allowed allowed = new PolicyDecision.Allowed(
                "web", false, Duration.ofSeconds(5), Map.of(), List.of(), ResourceLimits.NONE);
        roundTrips(
                new Execution.AwaitDecision(ref()),
                new Execution.Decide(true, "bob", null, ref()),
                new Execution.ProcessStart("web1", 7, Instant.parse("2026-01-01T00:00:00Z")),
                new Execution.ProcessExit(0, 0, false, Duration.ofMillis(3), Instant.parse("2026-01-01T00:00:00Z")),
                new Execution.RunFailed("lost", "gone", Instant.parse("2026-01-01T00:00:00Z")),
                new Execution.Cancel("alice", ref()),
                new Execution.GetStatus(ref()),
                new Execution.Authorized(STATUS, allowed),
                new Execution.PendingApproval(STATUS),
                new Execution.Refused(STATUS, "denied", "no"),
                StatusReply.success(STATUS),
                new OutputChunk.Exited(0, 0, false, Duration.ofMillis(3)),
                new OutputChunk.Failed("cancelled", "by alice"));
    }
}

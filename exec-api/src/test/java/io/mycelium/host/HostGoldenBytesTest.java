package io.mycelium.host;

import io.mycelium.journal.testkit.GoldenSystem;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The stored and wire format of the host directory's facts and the host context's messages, pinned in
 * src/test/resources/golden: a failure means journals or nodes of the previous version no longer read them. Not
 * pinned: {@code HostContext.Running} and {@code RunReady}, which carry stream references that exist only for a live
 * stream (their format is Pekko's).
 */
class HostGoldenBytesTest {
    static final Instant AT = Instant.parse("2026-11-21T10:00:00.123456789Z");
    static final HostSpec WEB1 = new HostSpec(
            "web1",
            HostSpec.Transport.OPENSSH,
            "127.0.0.9",
            2222,
            "deploy",
            "/etc/mycelium/keys/deploy",
            "/etc/mycelium/known_hosts",
            true,
            Map.of("role", "web"));

    @RegisterExtension
    static final GoldenSystem golden = new GoldenSystem();

    @Test
    void hostsAndRuns() {
        golden.assertMatches("host-spec-v1", WEB1);
        golden.assertMatches("host-spec-local-v1", HostSpec.local("local", Map.of()));
        golden.assertMatches(
                "run-spec-v1",
                new RunSpec(
                        List.of("sh", "-c", "echo hi"),
                        Map.of("APP_ENV", "prod"),
                        "/srv",
                        new byte[] {1, 2, 3},
                        false,
                        Duration.ofSeconds(30)));
    }

    @Test
    void theDirectory() {
        golden.assertMatches("host-directory-get-v1", new HostDirectory.Get("web1", golden.ref()));
        golden.assertMatches("host-directory-list-all-v1", new HostDirectory.ListAll(golden.ref()));
        golden.assertMatches("host-directory-hosts-v1", new HostDirectory.Hosts(List.of(WEB1)));
        golden.assertMatches("host-directory-register-v1", new HostDirectory.Register(WEB1, "alice", golden.ref()));
        golden.assertMatches("host-directory-remove-v1", new HostDirectory.Remove("web1", "alice", golden.ref()));
        golden.assertMatches("host-registered-v1", new HostDirectory.HostRegistered(WEB1, "alice", AT));
        golden.assertMatches("host-removed-v1", new HostDirectory.HostRemoved("web1", "alice", AT));
        golden.assertMatches("host-directory-state-v1", new HostDirectory.State(Map.of("web1", WEB1)));
    }

    @Test
    void theContext() {
        RunSpec spec = new RunSpec(List.of("true"), Map.of(), null, null, true, null);
        golden.assertMatches("host-context-run-v1", new HostContext.Run("x-1", WEB1, spec, golden.ref()));
        golden.assertMatches("host-context-cancel-v1", new HostContext.Cancel("x-1", "alice"));
        golden.assertMatches("host-context-is-running-v1", new HostContext.IsRunning("x-1", golden.ref()));
        golden.assertMatches("host-context-run-state-v1", HostContext.RunState.UNKNOWN);
        golden.assertMatches("host-context-refused-v1", new HostContext.Refused("conflict", "already ran here"));
        golden.assertMatches("host-context-run-ended-v1", new HostContext.RunEnded("x-1"));
        golden.assertMatches("host-context-idle-check-v1", new HostContext.IdleCheck());
    }
}

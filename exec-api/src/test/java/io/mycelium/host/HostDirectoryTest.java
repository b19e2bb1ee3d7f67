package io.mycelium.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The {@link HostDirectory} on the persistence testkit: configured hosts are fixed, API hosts are facts. */
class HostDirectoryTest {
    private static final HostSpec CONFIGURED = HostSpec.local("local", Map.of("mycelium/local", "true"));

    private static ActorTestKit kit;
    private EventSourcedBehaviorTestKit<HostDirectory.Command, HostDirectory.Event, HostDirectory.State> directory;

    private static HostSpec web(String id, String address) {
        return new HostSpec(id, HostSpec.Transport.OPENSSH, address, 2222, "deploy", null, null, false, Map.of());
    }

    @BeforeAll
    static void start() {
        kit = ClusterTestKit.start("HostDirectoryTest", "");
    }

    @AfterAll
    static void stop() {
        ClusterTestKit.stop(kit);
    }

    @BeforeEach
    void fresh() {
        directory = EventSourcedBehaviorTestKit.create(kit.system(), HostDirectory.create(List.of(CONFIGURED)));
        directory.clear();
    }

    private List<HostSpec> list() {
        return directory
                .<HostDirectory.Hosts>runCommand(HostDirectory.ListAll::new)
                .reply()
                .hosts();
    }

    private StatusReply<HostSpec> get(String id) {
        return directory
                .<StatusReply<HostSpec>>runCommand(r -> new HostDirectory.Get(id, r))
                .reply();
    }

    @Test
    void registersListsAndRemovesApiHostsAsFactsThatSurviveARestart() {
        var registered = directory.<StatusReply<HostSpec>>runCommand(
                r -> new HostDirectory.Register(web("web1", "127.0.0.9"), "admin", r));
        assertThat(registered.reply().getValue().id()).isEqualTo("web1");
        assertThat(registered.eventOfType(HostDirectory.HostRegistered.class).by())
                .isEqualTo("admin");
        directory.<StatusReply<HostSpec>>runCommand(
                r -> new HostDirectory.Register(web("web2", "127.0.0.10"), "admin", r));
        assertThat(list()).extracting(HostSpec::id).containsExactly("local", "web1", "web2");

        directory.restart();
        assertThat(list()).extracting(HostSpec::id).containsExactly("local", "web1", "web2");
        assertThat(get("web2").getValue().address()).isEqualTo("127.0.0.10");

        var removed = directory.<StatusReply<HostSpec>>runCommand(r -> new HostDirectory.Remove("web1", "admin", r));
        assertThat(removed.reply().getValue().id()).isEqualTo("web1");
        assertThat(removed.event()).isInstanceOf(HostDirectory.HostRemoved.class);
        directory.restart();
        assertThat(list()).extracting(HostSpec::id).containsExactly("local", "web2");
        assertThat(get("web1").getError().getMessage()).isEqualTo("no host is registered as web1");
    }

    @Test
    void aConfiguredHostsIdIsRefusedForRegistrationAndRemoval() {
        var register = directory.<StatusReply<HostSpec>>runCommand(
                r -> new HostDirectory.Register(web("local", "127.0.0.9"), "admin", r));
        assertThat(register.hasNoEvents()).isTrue();
        assertThat(register.reply().getError().getMessage()).contains("configuration");
        var remove = directory.<StatusReply<HostSpec>>runCommand(r -> new HostDirectory.Remove("local", "admin", r));
        assertThat(remove.hasNoEvents()).isTrue();
        assertThat(remove.reply().isError()).isTrue();
        assertThat(get("local").getValue()).isEqualTo(CONFIGURED);
    }

    @Test
    void registeringAnApiHostsIdAgainReplacesIt() {
        directory.<StatusReply<HostSpec>>runCommand(
                r -> new HostDirectory.Register(web("web1", "127.0.0.9"), "admin", r));
        directory.<StatusReply<HostSpec>>runCommand(
                r -> new HostDirectory.Register(web("web1", "127.0.0.11"), "admin", r));
        assertThat(list()).extracting(HostSpec::id).containsExactly("local", "web1");
        assertThat(get("web1").getValue().address()).isEqualTo("127.0.0.11");
    }

    @Test
    void removingAnUnknownHostIsRefusedWithoutAFact() {
        var remove = directory.<StatusReply<HostSpec>>runCommand(r -> new HostDirectory.Remove("nope", "admin", r));
        assertThat(remove.hasNoEvents()).isTrue();
        assertThat(remove.reply().getError().getMessage()).contains("nope");
    }
}

package io.mycelium.host;

import io.mycelium.journal.KryoSerializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * The registered hosts, one per cluster (run as a cluster singleton). Hosts from the node's configuration are fixed;
 * hosts registered through the API are facts in the journal, so they survive restarts.
 */
public final class HostDirectory
        extends EventSourcedBehavior<HostDirectory.Command, HostDirectory.Event, HostDirectory.State> {

    /** What the directory answers. */
    public sealed interface Command extends KryoSerializable {}

    /** Replies with the host, or an error when none is registered under the id. */
    public record Get(String id, ActorRef<StatusReply<HostSpec>> replyTo) implements Command {}

    /** Replies with every host, configured ones first. */
    public record ListAll(ActorRef<Hosts> replyTo) implements Command {}

    /** The answer to {@link ListAll}: a record, so that it crosses the cluster with the Kryo serializer. */
    public record Hosts(List<HostSpec> hosts) implements KryoSerializable {}

    /** Registers or replaces an API host; a configured host's id is refused. */
    public record Register(HostSpec host, String by, ActorRef<StatusReply<HostSpec>> replyTo) implements Command {}

    /** Removes an API host; configured hosts and unknown ids are refused. */
    public record Remove(String id, String by, ActorRef<StatusReply<HostSpec>> replyTo) implements Command {}

    /** Facts about registrations. */
    public sealed interface Event extends KryoSerializable {}

    /** A host was registered (or replaced) through the API. */
    public record HostRegistered(HostSpec host, String by, Instant at) implements Event {}

    /** A host registered through the API was removed. */
    public record HostRemoved(String id, String by, Instant at) implements Event {}

    /** The hosts registered through the API, in registration order. */
    public record State(Map<String, HostSpec> registered) implements KryoSerializable {
        State apply(Event event) {
            Map<String, HostSpec> next = new LinkedHashMap<>(registered);
            switch (event) {
                case HostRegistered r -> next.put(r.host().id(), r.host());
                case HostRemoved r -> next.remove(r.id());
            }
            return new State(next);
        }
    }

    private final Map<String, HostSpec> configured;

    private HostDirectory(List<HostSpec> configured) {
        super(PersistenceId.ofUniqueId("HostDirectory"));
        Map<String, HostSpec> byId = new LinkedHashMap<>();
        configured.forEach(h -> byId.put(h.id(), h));
        this.configured = Map.copyOf(byId);
    }

    /** The directory, with the hosts of the configuration fixed in it. */
    public static Behavior<Command> create(List<HostSpec> configured) {
        return new HostDirectory(configured);
    }

    @Override
    public State emptyState() {
        return new State(Map.of());
    }

    @Override
    public CommandHandler<Command, Event, State> commandHandler() {
        return newCommandHandlerBuilder()
                .forAnyState()
                .onCommand(Get.class, (state, c) -> {
                    HostSpec host = lookup(state, c.id());
                    return Effect()
                            .reply(
                                    c.replyTo(),
                                    host == null
                                            ? StatusReply.error("no host is registered as " + c.id())
                                            : StatusReply.success(host));
                })
                .onCommand(ListAll.class, (state, c) -> {
                    List<HostSpec> all = new ArrayList<>(configured.values());
                    all.addAll(state.registered().values());
                    return Effect().reply(c.replyTo(), new Hosts(List.copyOf(all)));
                })
                .onCommand(Register.class, (state, c) -> {
                    if (configured.containsKey(c.host().id())) {
                        return Effect()
                                .reply(
                                        c.replyTo(),
                                        StatusReply.error("host " + c.host().id()
                                                + " comes from the node's configuration; change it there"));
                    }
                    return Effect()
                            .persist(new HostRegistered(c.host(), c.by(), Instant.now()))
                            .thenReply(c.replyTo(), s -> StatusReply.success(c.host()));
                })
                .onCommand(Remove.class, (state, c) -> {
                    if (configured.containsKey(c.id())) {
                        return Effect()
                                .reply(
                                        c.replyTo(),
                                        StatusReply.error("host " + c.id()
                                                + " comes from the node's configuration; remove it there"));
                    }
                    HostSpec existing = state.registered().get(c.id());
                    if (existing == null) {
                        return Effect().reply(c.replyTo(), StatusReply.error("no host is registered as " + c.id()));
                    }
                    return Effect()
                            .persist(new HostRemoved(c.id(), c.by(), Instant.now()))
                            .thenReply(c.replyTo(), s -> StatusReply.success(existing));
                })
                .build();
    }

    private HostSpec lookup(State state, String id) {
        HostSpec host = configured.get(id);
        return host != null ? host : state.registered().get(id);
    }

    @Override
    public EventHandler<State, Event> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent(State::apply);
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(100, 2);
    }
}

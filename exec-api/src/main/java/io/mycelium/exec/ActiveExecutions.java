package io.mycelium.exec;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.NoOffset;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByTagQuery;
import org.apache.pekko.persistence.query.javadsl.EventsByTagQuery;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSink;

/**
 * This node's index of the executions whose outcome is open (pending approval, authorized, running), folded from the
 * facts tagged {@value Execution#TAG}: the answer of {@code GET /api/v1/exec}.
 *
 * <p>Why a projection rather than a fold of {@code currentEventsByTag} per request: the tag holds every execution
 * ever run, so a fold would read the whole history for every list. The index reads it once when the node starts
 * (answering {@link NotReady} until it has) and then follows the live query, so a list costs a scan of the open
 * executions only, and memory holds only those (a final fact removes its execution). The price is that a new fact
 * shows after the read journal's refresh interval ({@code jdbc-read-journal.refresh-interval}, 1 s); the query is
 * gap-aware, so no fact is skipped. Nothing is stored: after a restart the index is rebuilt from the facts.
 *
 * <p>An execution whose entity went down with its node records nothing until its entity runs again. The index
 * wakes every authorized or running execution without a new fact for {@code wakeAfter}; a woken entity probes its
 * host's context and, when the context no longer knows the process, closes itself as failed ({@code lost}), which
 * removes it here.
 */
public final class ActiveExecutions {

    /** What the index answers. */
    public sealed interface Command {}

    /**
     * Lists the open executions, oldest request first.
     *
     * @param agentId only those on this host; null for all
     * @param states only those in these states (open ones); empty for all
     * @param limit at most this many
     */
    public record ListActive(String agentId, Set<ExecStatus.State> states, int limit, ActorRef<Reply> replyTo)
            implements Command {}

    /** The answer to {@link ListActive}. */
    public sealed interface Reply {}

    /** The open executions; {@code truncated} when more matched than the limit. */
    public record Listing(List<ExecStatus> executions, boolean truncated) implements Reply {}

    /** The index is still reading the journal's history. */
    public record NotReady(String message) implements Reply {}

    private record Fact(EventEnvelope envelope, ActorRef<Ack> ack) implements Command {}

    private record StreamStarted(ActorRef<Ack> ack) implements Command {}

    private record StreamCompleted() implements Command {}

    private record StreamFailed(Throwable cause) implements Command {}

    private record Restart() implements Command {}

    private record Wake() implements Command {}

    private record Woken() implements Command {}

    private enum Ack {
        INSTANCE
    }

    /** An open execution and when the index last saw a fact of it. */
    private record Entry(Execution.State state, Instant lastFact) {}

    private static final Duration RESTART_DELAY = Duration.ofSeconds(1);

    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final CurrentEventsByTagQuery history;
    private final EventsByTagQuery live;
    private final ClusterSharding sharding;
    private final Duration wakeAfter;
    private final ActorRef<StatusReply<ExecStatus>> wokenAdapter;
    private final Map<String, Entry> open = new HashMap<>();
    private Offset offset = NoOffset.getInstance();
    private boolean caughtUp;

    private ActiveExecutions(
            ActorContext<Command> context,
            TimerScheduler<Command> timers,
            CurrentEventsByTagQuery history,
            EventsByTagQuery live,
            ClusterSharding sharding,
            Duration wakeAfter) {
        this.context = context;
        this.timers = timers;
        this.history = history;
        this.live = live;
        this.sharding = sharding;
        this.wakeAfter = wakeAfter;
        this.wokenAdapter = wokenAdapter(context);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static ActorRef<StatusReply<ExecStatus>> wokenAdapter(ActorContext<Command> context) {
        return (ActorRef) context.messageAdapter(StatusReply.class, reply -> new Woken());
    }

    /**
     * The index over {@code journal} (such as the JDBC read journal), waking open executions without a new fact for
     * {@code wakeAfter} (checked as often).
     */
    public static <J extends CurrentEventsByTagQuery & EventsByTagQuery> Behavior<Command> create(
            J journal, ClusterSharding sharding, Duration wakeAfter) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            ActiveExecutions index = new ActiveExecutions(context, timers, journal, journal, sharding, wakeAfter);
            timers.startTimerWithFixedDelay("wake", new Wake(), wakeAfter);
            index.follow();
            return index.behavior();
        }));
    }

    private Behavior<Command> behavior() {
        return Behaviors.receive(Command.class)
                .onMessage(ListActive.class, this::onList)
                .onMessage(StreamStarted.class, m -> {
                    m.ack().tell(Ack.INSTANCE);
                    return Behaviors.same();
                })
                .onMessage(Fact.class, this::onFact)
                .onMessage(StreamCompleted.class, m -> onStreamEnd(null))
                .onMessage(StreamFailed.class, m -> onStreamEnd(m.cause()))
                .onMessage(Restart.class, m -> {
                    follow();
                    return Behaviors.same();
                })
                .onMessage(Wake.class, this::onWake)
                .onMessage(Woken.class, m -> Behaviors.same())
                .build();
    }

    /** Reads the history up to now from the last offset, or, once it has, follows the live query from there. */
    private void follow() {
        Source<EventEnvelope, ?> source =
                caughtUp ? live.eventsByTag(Execution.TAG, offset) : history.currentEventsByTag(Execution.TAG, offset);
        source.runWith(
                ActorSink.actorRefWithBackpressure(
                        context.getSelf(),
                        (ActorRef<Ack> ack, EventEnvelope envelope) -> new Fact(envelope, ack),
                        StreamStarted::new,
                        Ack.INSTANCE,
                        new StreamCompleted(),
                        StreamFailed::new),
                context.getSystem());
    }

    private Behavior<Command> onFact(Fact fact) {
        EventEnvelope envelope = fact.envelope();
        offset = envelope.offset();
        if (envelope.event() instanceof Execution.Event event) {
            String id = PersistenceId.extractEntityId(envelope.persistenceId());
            Entry entry = open.get(id);
            if (event instanceof Execution.ExecRequested || entry != null) {
                Execution.State state = (entry == null ? Execution.State.empty() : entry.state()).apply(event);
                if (state.state() != null && state.state().terminal()) {
                    open.remove(id);
                } else {
                    open.put(id, new Entry(state, Instant.now()));
                }
            }
        }
        fact.ack().tell(Ack.INSTANCE);
        return Behaviors.same();
    }

    private Behavior<Command> onStreamEnd(Throwable failure) {
        if (failure != null) {
            context.getLog().warn("reading the execution facts failed; retrying in {}", RESTART_DELAY, failure);
            timers.startSingleTimer("restart", new Restart(), RESTART_DELAY);
        } else if (!caughtUp) {
            caughtUp = true;
            context.getLog().debug("active executions: {} open after reading the history", open.size());
            follow();
        } else {
            // The live query does not complete by itself; if it does, follow on rather than go stale.
            timers.startSingleTimer("restart", new Restart(), RESTART_DELAY);
        }
        return Behaviors.same();
    }

    private Behavior<Command> onWake(Wake wake) {
        Instant quietSince = Instant.now().minus(wakeAfter);
        open.forEach((id, entry) -> {
            ExecStatus.State state = entry.state().state();
            // Only these probe their context; a request pending approval waits for a person, not for a node.
            boolean probing = state == ExecStatus.State.AUTHORIZED || state == ExecStatus.State.RUNNING;
            if (probing && entry.lastFact().isBefore(quietSince)) {
                sharding.entityRefFor(Execution.TYPE, id).tell(new Execution.GetStatus(wokenAdapter));
            }
        });
        return Behaviors.same();
    }

    private Behavior<Command> onList(ListActive list) {
        if (!caughtUp) {
            list.replyTo()
                    .tell(new NotReady("this node is still reading the execution facts in the journal (" + open.size()
                            + " open so far)"));
            return Behaviors.same();
        }
        List<ExecStatus> matching = new ArrayList<>();
        for (Entry entry : open.values()) {
            Execution.State s = entry.state();
            if (s.state() == null
                    || (list.agentId() != null
                            && !list.agentId().equals(s.requested().agentId()))
                    || (!list.states().isEmpty() && !list.states().contains(s.state()))) {
                continue;
            }
            matching.add(s.status());
        }
        matching.sort(Comparator.comparing(ExecStatus::requestTime).thenComparing(ExecStatus::id));
        boolean truncated = matching.size() > list.limit();
        list.replyTo()
                .tell(new Listing(List.copyOf(truncated ? matching.subList(0, list.limit()) : matching), truncated));
        return Behaviors.same();
    }
}

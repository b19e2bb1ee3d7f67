package io.mycelium.task;

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
 * This node's index of the tasks, folded from the facts tagged {@value Task#TAG}: the answer of {@code GET
 * /api/v1/tasks?state=} and of the dead-letter list, and what brings tasks back to life after a restart.
 *
 * <p>It reads the history once when the node starts (answering {@link NotReady} until it has), then follows the live
 * query, so a new fact shows within the read journal's refresh interval. It keeps a small summary per task (no
 * output, no history; those are in the entity). Timers of a scheduled task and the attempt of a running one live in
 * its entity, which stops with its node: so once it has read the history, and then every {@code wakeInterval}, the
 * index wakes every task that is not at rest and had no new fact for that long; a woken entity sets its timer again,
 * or records its lost attempt as failed and retries it.
 */
public final class TaskIndex {

    /** What the index answers. */
    public sealed interface Command {}

    /** Lists tasks in {@code states} (all when empty), oldest submission first, at most {@code limit}. */
    public record ListTasks(Set<TaskState> states, int limit, ActorRef<Reply> replyTo) implements Command {}

    /** Counts the tasks not at rest without a new fact for {@code olderThan}. */
    public record CountStuck(Duration olderThan, ActorRef<Integer> replyTo) implements Command {}

    /** The answer to {@link ListTasks}. */
    public sealed interface Reply {}

    /** The matching tasks; {@code truncated} when more matched than the limit. */
    public record Listing(List<Summary> tasks, boolean truncated) implements Reply {}

    /** The index is still reading the journal's history. */
    public record NotReady(String message) implements Reply {}

    /** One task in a list. */
    public record Summary(
            String id,
            TaskState state,
            String target,
            String capability,
            int attempt,
            String submittedBy,
            Instant submittedAt,
            Instant updatedAt) {

        Summary after(Task.Event event) {
            int a = switch (event) {
                case Task.TaskScheduled e -> e.attempt();
                case Task.TaskAssigned e -> e.attempt();
                default -> attempt;
            };
            return new Summary(
                    id, Task.stateAfter(state, event), target, capability, a, submittedBy, submittedAt, event.at());
        }
    }

    private record Fact(EventEnvelope envelope, ActorRef<Ack> ack) implements Command {}

    private record StreamStarted(ActorRef<Ack> ack) implements Command {}

    private record StreamCompleted() implements Command {}

    private record StreamFailed(Throwable cause) implements Command {}

    private record Restart() implements Command {}

    private record Wake(boolean all) implements Command {}

    private record Woken() implements Command {}

    private enum Ack {
        INSTANCE
    }

    private record Entry(Summary summary, Instant lastFact) {}

    private static final Duration RESTART_DELAY = Duration.ofSeconds(1);

    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final CurrentEventsByTagQuery history;
    private final EventsByTagQuery live;
    private final ClusterSharding sharding;
    private final Duration wakeInterval;
    private final ActorRef<StatusReply<TaskStatus>> wokenAdapter;
    private final Map<String, Entry> tasks = new HashMap<>();
    private final Map<TaskState, Long> byState = new java.util.EnumMap<>(TaskState.class);
    private final TaskMeters metrics;
    private Offset offset = NoOffset.getInstance();
    private boolean caughtUp;

    private TaskIndex(
            ActorContext<Command> context,
            TimerScheduler<Command> timers,
            CurrentEventsByTagQuery history,
            EventsByTagQuery live,
            ClusterSharding sharding,
            Duration wakeInterval,
            TaskMeters metrics) {
        this.metrics = metrics;
        this.context = context;
        this.timers = timers;
        this.history = history;
        this.live = live;
        this.sharding = sharding;
        this.wakeInterval = wakeInterval;
        this.wokenAdapter = wokenAdapter(context);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static ActorRef<StatusReply<TaskStatus>> wokenAdapter(ActorContext<Command> context) {
        return (ActorRef) context.messageAdapter(StatusReply.class, reply -> new Woken());
    }

    /**
     * The index over {@code journal} (such as the JDBC read journal), counting the facts that happen from now on into
     * {@code metrics} and emitting them as telemetry events.
     */
    public static <J extends CurrentEventsByTagQuery & EventsByTagQuery> Behavior<Command> create(
            J journal, ClusterSharding sharding, Duration wakeInterval, TaskMeters metrics) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            TaskIndex index = new TaskIndex(context, timers, journal, journal, sharding, wakeInterval, metrics);
            timers.startTimerWithFixedDelay("wake", new Wake(false), wakeInterval);
            index.follow();
            return index.behavior();
        }));
    }

    private Behavior<Command> behavior() {
        return Behaviors.receive(Command.class)
                .onMessage(ListTasks.class, this::onList)
                .onMessage(CountStuck.class, this::onCountStuck)
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

    private void follow() {
        Source<EventEnvelope, ?> source =
                caughtUp ? live.eventsByTag(Task.TAG, offset) : history.currentEventsByTag(Task.TAG, offset);
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
        if (envelope.event() instanceof Task.Event event) {
            String id = PersistenceId.extractEntityId(envelope.persistenceId());
            Entry entry = tasks.get(id);
            Summary summary = null;
            if (event instanceof Task.TaskSubmitted s) {
                summary = new Summary(
                        id, TaskState.SUBMITTED, s.target(), s.capability(), 0, s.submittedBy(), s.at(), s.at());
            } else if (entry != null) {
                summary = entry.summary().after(event);
            }
            if (summary != null) {
                if (entry != null) {
                    byState.merge(entry.summary().state(), -1L, Long::sum);
                }
                byState.merge(summary.state(), 1L, Long::sum);
                tasks.put(id, new Entry(summary, Instant.now()));
                metrics.taskCounts(
                        count(TaskState.SUBMITTED) + count(TaskState.SCHEDULED),
                        count(TaskState.ASSIGNED) + count(TaskState.ACCEPTED));
                if (caughtUp) {
                    observe(summary, event);
                }
            }
        }
        fact.ack().tell(Ack.INSTANCE);
        return Behaviors.same();
    }

    private long count(TaskState state) {
        return byState.getOrDefault(state, 0L);
    }

    /** A fact as it happens: counted, and a telemetry event. */
    private void observe(Summary task, Task.Event event) {
        String fact = TaskStatus.fact(event);
        metrics.taskFact(fact);
        Map<String, Object> fields = new java.util.LinkedHashMap<>();
        fields.put("state", task.state().wireName());
        fields.put("attempt", task.attempt());
        String agent = null;
        switch (event) {
            case Task.TaskSubmitted e -> {
                fields.put("target", e.target() != null ? e.target() : "capability:" + e.capability());
                fields.put("submitted_by", e.submittedBy());
            }
            case Task.TaskAssigned e -> agent = e.agent();
            case Task.TaskAccepted e -> agent = e.agent();
            case Task.TaskCompleted e -> {
                Duration latency = Duration.between(task.submittedAt(), e.at());
                metrics.taskCompleted(latency);
                fields.put("latency_ms", latency.toMillis());
            }
            case Task.TaskFailed e -> {
                fields.put("code", e.code());
                fields.put("reason", e.message());
            }
            case Task.TaskDeadLettered e -> fields.put("code", e.code());
            default -> {}
        }
        Telemetry.event(
                "task_" + fact,
                agent == null
                        ? Map.of("task_id", task.id(), "module", "tasks")
                        : Map.of("task_id", task.id(), "agent_id", agent, "module", "tasks"),
                fields);
    }

    private Behavior<Command> onCountStuck(CountStuck c) {
        Instant before = Instant.now().minus(c.olderThan());
        int stuck = 0;
        for (Entry entry : tasks.values()) {
            if (!entry.summary().state().resting()
                    && entry.summary().updatedAt().isBefore(before)) {
                stuck++;
            }
        }
        c.replyTo().tell(stuck);
        return Behaviors.same();
    }

    private Behavior<Command> onStreamEnd(Throwable failure) {
        if (failure != null) {
            context.getLog().warn("reading the task facts failed; retrying in {}", RESTART_DELAY, failure);
            timers.startSingleTimer("restart", new Restart(), RESTART_DELAY);
        } else if (!caughtUp) {
            caughtUp = true;
            context.getLog().debug("task index: {} tasks after reading the history", tasks.size());
            context.getSelf().tell(new Wake(true));
            follow();
        } else {
            timers.startSingleTimer("restart", new Restart(), RESTART_DELAY);
        }
        return Behaviors.same();
    }

    private Behavior<Command> onWake(Wake wake) {
        if (!caughtUp) {
            return Behaviors.same();
        }
        Instant quietSince = Instant.now().minus(wakeInterval);
        tasks.forEach((id, entry) -> {
            if (!entry.summary().state().resting()
                    && (wake.all() || entry.lastFact().isBefore(quietSince))) {
                sharding.entityRefFor(Task.TYPE, id).tell(new Task.GetStatus(wokenAdapter));
            }
        });
        return Behaviors.same();
    }

    private Behavior<Command> onList(ListTasks list) {
        if (!caughtUp) {
            list.replyTo()
                    .tell(new NotReady("this node is still reading the task facts in the journal (" + tasks.size()
                            + " tasks so far)"));
            return Behaviors.same();
        }
        List<Summary> matching = new ArrayList<>();
        for (Entry entry : tasks.values()) {
            if (list.states().isEmpty()
                    || list.states().contains(entry.summary().state())) {
                matching.add(entry.summary());
            }
        }
        matching.sort(Comparator.comparing(Summary::submittedAt).thenComparing(Summary::id));
        boolean truncated = matching.size() > list.limit();
        list.replyTo()
                .tell(new Listing(List.copyOf(truncated ? matching.subList(0, list.limit()) : matching), truncated));
        return Behaviors.same();
    }
}

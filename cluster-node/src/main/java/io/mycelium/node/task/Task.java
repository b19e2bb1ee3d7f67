package io.mycelium.node.task;

import io.mycelium.journal.KryoSerializable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerBuilder;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One task, event-sourced: submitted, scheduled, assigned to an agent, accepted, then completed, or failed and
 * scheduled again (exponential backoff with jitter) until its attempts or its deadline run out and it is
 * dead-lettered with its whole history; a redrive starts a new round; a cancel ends it. Every fact carries its time.
 *
 * <p>An attempt runs through a node-local {@link TaskRunner} (for a host target: an execution on the host's context,
 * governed by the exec policy of the submitter). An attempt whose entity stopped while it ran (its node died) is
 * recorded as failed ({@code lost}) when the entity next starts, its execution is cancelled, and the retry rules
 * apply: a task runs at least once, not exactly once.
 */
public final class Task extends EventSourcedBehavior<Task.Command, Task.Event, Task.State> {

    /** The sharded entity type; the entity id is the task id. */
    public static final EntityTypeKey<Command> TYPE = EntityTypeKey.create(Command.class, "Task");

    /** Journal tag of every task event. */
    public static final String TAG = "task";

    // Commands -----------------------------------------------------------------------------------------------------

    /** What a task answers. */
    public sealed interface Command extends KryoSerializable {}

    /** Records a new task; an existing one answers with its status instead ({@code created} false). */
    public record Submit(TaskSubmitted submitted, ActorRef<SubmitReply> replyTo) implements Command {}

    /** The answer to {@link Submit}. */
    public record SubmitReply(TaskStatus status, boolean created) implements KryoSerializable {}

    /** Replies with the status, or an error when no such task was ever submitted. */
    public record GetStatus(ActorRef<StatusReply<TaskStatus>> replyTo) implements Command {}

    /** Cancels a task that has not come to rest; a running attempt's execution is cancelled. */
    public record Cancel(String by, ActorRef<StatusReply<TaskStatus>> replyTo) implements Command {}

    /** Takes a dead-lettered task out of the dead-letter queue for a new round of attempts. */
    public record Redrive(String by, ActorRef<StatusReply<TaskStatus>> replyTo) implements Command {}

    /** Timer: the scheduled attempt's time has come. */
    record Dispatch(int attempt) implements Command {}

    /** The runner reports that the attempt's process started. */
    record AttemptAccepted(int attempt, Instant at) implements Command {}

    /** The runner reports how the attempt ended. */
    record AttemptEnded(
            int attempt,
            Integer exitCode,
            String stdout,
            String stderr,
            String code,
            String message,
            boolean permanent,
            Instant at)
            implements Command {}

    // Events -------------------------------------------------------------------------------------------------------

    /** The facts of a task. */
    public sealed interface Event extends KryoSerializable {
        /** When it happened. */
        Instant at();
    }

    /**
     * A task was submitted.
     *
     * @param deadlineAfter how long each round may take, from the submission or the redrive
     * @param attemptTimeout how long one attempt may run
     * @param principalKind how {@code submittedBy} was established ({@code SPIFFE}, {@code TOKEN}, {@code LOCAL})
     */
    public record TaskSubmitted(
            String id,
            String target,
            List<String> command,
            int maxAttempts,
            Duration backoffInitial,
            Duration backoffMax,
            Duration deadlineAfter,
            Duration attemptTimeout,
            String idempotencyKey,
            String submittedBy,
            String principalKind,
            String clientIp,
            Instant at)
            implements Event {}

    /** The attempt numbered {@code attempt} is to start at {@code notBefore}. */
    public record TaskScheduled(int attempt, Instant notBefore, Instant at) implements Event {}

    /** The attempt was handed to {@code agent}, as execution {@code executionId}. */
    public record TaskAssigned(int attempt, String agent, String executionId, Instant at) implements Event {}

    /** The agent accepted the attempt: its process started. */
    public record TaskAccepted(int attempt, String agent, Instant at) implements Event {}

    /** The attempt succeeded. */
    public record TaskCompleted(int attempt, int exitCode, String stdout, String stderr, Instant at) implements Event {}

    /** The attempt failed. */
    public record TaskFailed(
            int attempt, String code, String message, Integer exitCode, String stdout, String stderr, Instant at)
            implements Event {}

    /** No more attempts: the task went to the dead-letter queue. */
    public record TaskDeadLettered(String code, String reason, Instant at) implements Event {}

    /** Someone cancelled it. */
    public record TaskCancelled(String by, Instant at) implements Event {}

    /** Someone took it out of the dead-letter queue for a new round. */
    public record TaskRedriven(String by, Instant at) implements Event {}

    // State --------------------------------------------------------------------------------------------------------

    /**
     * The task as its facts describe it; {@code submitted} is null before any fact.
     *
     * @param roundStart the number of the first attempt of the current round
     * @param last the last attempt's outcome ({@link TaskCompleted} or {@link TaskFailed}), or null
     */
    public record State(
            TaskSubmitted submitted,
            TaskState state,
            int attempt,
            int roundStart,
            Instant deadline,
            Instant notBefore,
            String agent,
            String executionId,
            Event last,
            TaskDeadLettered deadLettered,
            Instant endTime,
            List<Event> history)
            implements KryoSerializable {

        static State empty() {
            return new State(null, null, 0, 1, null, null, null, null, null, null, null, List.of());
        }

        boolean exists() {
            return submitted != null;
        }

        /** Attempts made in the current round. */
        int attemptsThisRound() {
            return attempt - roundStart + 1;
        }

        /** The state after one fact: each fact changes only what it says. */
        State apply(Event event) {
            List<Event> h = new ArrayList<>(history);
            h.add(event);
            List<Event> facts = List.copyOf(h);
            TaskState next = stateAfter(event);
            return switch (event) {
                case TaskSubmitted e ->
                    new State(e, next, 0, 1, e.at().plus(e.deadlineAfter()), null, null, null, null, null, null, facts);
                case TaskScheduled e ->
                    new State(
                            submitted,
                            next,
                            e.attempt(),
                            roundStart,
                            deadline,
                            e.notBefore(),
                            agent,
                            executionId,
                            last,
                            deadLettered,
                            null,
                            facts);
                case TaskAssigned e ->
                    new State(
                            submitted,
                            next,
                            e.attempt(),
                            roundStart,
                            deadline,
                            null,
                            e.agent(),
                            e.executionId(),
                            last,
                            deadLettered,
                            null,
                            facts);
                case TaskAccepted e -> with(next, null, facts);
                case TaskCompleted e ->
                    new State(
                            submitted,
                            next,
                            attempt,
                            roundStart,
                            deadline,
                            null,
                            agent,
                            executionId,
                            e,
                            deadLettered,
                            e.at(),
                            facts);
                case TaskFailed e ->
                    new State(
                            submitted,
                            next,
                            attempt,
                            roundStart,
                            deadline,
                            null,
                            agent,
                            executionId,
                            e,
                            deadLettered,
                            null,
                            facts);
                case TaskDeadLettered e ->
                    new State(
                            submitted,
                            next,
                            attempt,
                            roundStart,
                            deadline,
                            null,
                            agent,
                            executionId,
                            last,
                            e,
                            e.at(),
                            facts);
                case TaskCancelled e -> with(next, e.at(), facts);
                case TaskRedriven e ->
                    new State(
                            submitted,
                            next,
                            attempt,
                            attempt + 1,
                            e.at().plus(submitted.deadlineAfter()),
                            null,
                            agent,
                            executionId,
                            last,
                            null,
                            null,
                            facts);
            };
        }

        private State with(TaskState next, Instant end, List<Event> facts) {
            return new State(
                    submitted,
                    next,
                    attempt,
                    roundStart,
                    deadline,
                    notBefore,
                    agent,
                    executionId,
                    last,
                    deadLettered,
                    end,
                    facts);
        }

        TaskStatus status() {
            Integer exitCode = null;
            String stdout = null;
            String stderr = null;
            TaskStatus.Error error = null;
            if (last instanceof TaskCompleted c) {
                exitCode = c.exitCode();
                stdout = c.stdout();
                stderr = c.stderr();
            } else if (last instanceof TaskFailed f) {
                exitCode = f.exitCode();
                stdout = f.stdout();
                stderr = f.stderr();
                error = new TaskStatus.Error(f.code(), f.message());
            }
            if (deadLettered != null) {
                error = new TaskStatus.Error(deadLettered.code(), deadLettered.reason());
            }
            return new TaskStatus(
                    submitted.id(),
                    state,
                    submitted.target(),
                    submitted.command(),
                    submitted.maxAttempts(),
                    attempt,
                    submitted.submittedBy(),
                    submitted.idempotencyKey(),
                    submitted.at(),
                    deadline,
                    state == TaskState.SCHEDULED ? notBefore : null,
                    agent,
                    executionId,
                    exitCode,
                    stdout,
                    stderr,
                    error,
                    endTime,
                    history.stream().map(State::entry).toList());
        }

        private static TaskStatus.HistoryEntry entry(Event event) {
            return switch (event) {
                case TaskSubmitted e ->
                    new TaskStatus.HistoryEntry(
                            "submitted",
                            e.at(),
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            e.submittedBy(),
                            null);
                case TaskScheduled e ->
                    new TaskStatus.HistoryEntry(
                            "scheduled",
                            e.at(),
                            e.attempt(),
                            null,
                            null,
                            e.notBefore(),
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            Duration.between(e.at(), e.notBefore()));
                case TaskAssigned e ->
                    new TaskStatus.HistoryEntry(
                            "assigned",
                            e.at(),
                            e.attempt(),
                            e.agent(),
                            e.executionId(),
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null);
                case TaskAccepted e ->
                    new TaskStatus.HistoryEntry(
                            "accepted",
                            e.at(),
                            e.attempt(),
                            e.agent(),
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null);
                case TaskCompleted e ->
                    new TaskStatus.HistoryEntry(
                            "completed",
                            e.at(),
                            e.attempt(),
                            null,
                            null,
                            null,
                            e.exitCode(),
                            e.stdout(),
                            e.stderr(),
                            null,
                            null,
                            null,
                            null);
                case TaskFailed e ->
                    new TaskStatus.HistoryEntry(
                            "failed",
                            e.at(),
                            e.attempt(),
                            null,
                            null,
                            null,
                            e.exitCode(),
                            e.stdout(),
                            e.stderr(),
                            e.code(),
                            e.message(),
                            null,
                            null);
                case TaskDeadLettered e ->
                    new TaskStatus.HistoryEntry(
                            "dead_lettered",
                            e.at(),
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            e.code(),
                            e.reason(),
                            null,
                            null);
                case TaskCancelled e ->
                    new TaskStatus.HistoryEntry(
                            "cancelled", e.at(), null, null, null, null, null, null, null, null, null, e.by(), null);
                case TaskRedriven e ->
                    new TaskStatus.HistoryEntry(
                            "redriven", e.at(), null, null, null, null, null, null, null, null, null, e.by(), null);
            };
        }
    }

    /** The state a task is in right after {@code event}: one rule, shared with the node's task index. */
    static TaskState stateAfter(Event event) {
        return switch (event) {
            case TaskSubmitted e -> TaskState.SUBMITTED;
            case TaskScheduled e -> TaskState.SCHEDULED;
            case TaskAssigned e -> TaskState.ASSIGNED;
            case TaskAccepted e -> TaskState.ACCEPTED;
            case TaskCompleted e -> TaskState.COMPLETED;
            case TaskFailed e -> TaskState.FAILED;
            case TaskDeadLettered e -> TaskState.DEAD_LETTERED;
            case TaskCancelled e -> TaskState.CANCELLED;
            case TaskRedriven e -> TaskState.SCHEDULED;
        };
    }

    /**
     * The delay before the attempt after {@code failedAttempts} failed ones in a round: {@code initial * 2^(n-1)},
     * at most {@code max}, of which a random half is taken off ("equal jitter") so that tasks failing together do
     * not retry together.
     */
    static Duration backoff(int failedAttempts, Duration initial, Duration max, double random) {
        long initialMs = Math.max(1, initial.toMillis());
        int shift = Math.min(Math.max(0, failedAttempts - 1), 30);
        long base = Math.min(max.toMillis(), initialMs << shift);
        long half = base / 2;
        return Duration.ofMillis(base - half + (long) (half * random));
    }

    // Behavior -----------------------------------------------------------------------------------------------------

    private static final Set<String> TAGS = Set.of(TAG);

    private final String id;
    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final TaskRunner runner;

    private Task(String id, ActorContext<Command> context, TimerScheduler<Command> timers, TaskRunner runner) {
        super(PersistenceId.of(TYPE.name(), id));
        this.id = id;
        this.context = context;
        this.timers = timers;
        this.runner = runner;
    }

    /** The entity for task {@code id}, running its attempts through {@code runner}. */
    public static Behavior<Command> create(String id, TaskRunner runner) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> new Task(id, context, timers, runner)));
    }

    @Override
    public State emptyState() {
        return State.empty();
    }

    @Override
    public CommandHandler<Command, Event, State> commandHandler() {
        CommandHandlerBuilder<Command, Event, State> builder = newCommandHandlerBuilder();
        builder.forState(s -> !s.exists())
                .onCommand(Submit.class, this::onSubmit)
                .onCommand(GetStatus.class, (s, c) -> Effect().reply(c.replyTo(), unknown()))
                .onCommand(Cancel.class, (s, c) -> Effect().reply(c.replyTo(), unknown()))
                .onCommand(Redrive.class, (s, c) -> Effect().reply(c.replyTo(), unknown()))
                .onAnyCommand(c -> Effect().none());
        builder.forAnyState()
                .onCommand(Submit.class, (s, c) -> Effect().reply(c.replyTo(), new SubmitReply(s.status(), false)))
                .onCommand(GetStatus.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(s.status())))
                .onCommand(Cancel.class, this::onCancel)
                .onCommand(Redrive.class, this::onRedrive)
                .onCommand(Dispatch.class, this::onDispatch)
                .onCommand(AttemptAccepted.class, this::onAccepted)
                .onCommand(AttemptEnded.class, this::onEnded);
        return builder.build();
    }

    private StatusReply<TaskStatus> unknown() {
        return StatusReply.error("no task " + id);
    }

    private Effect<Event, State> onSubmit(State state, Submit c) {
        TaskSubmitted submitted = c.submitted();
        return Effect()
                .persist(List.of(submitted, new TaskScheduled(1, submitted.at(), submitted.at())))
                .thenRun(s -> {
                    c.replyTo().tell(new SubmitReply(s.status(), true));
                    afterChange(s);
                });
    }

    private Effect<Event, State> onDispatch(State state, Dispatch c) {
        if (state.state() != TaskState.SCHEDULED || c.attempt() != state.attempt()) {
            return Effect().none();
        }
        Instant now = Instant.now();
        if (!now.isBefore(state.deadline())) {
            return Effect()
                    .persist(new TaskDeadLettered(
                            "deadline",
                            "the deadline " + state.deadline() + " passed before attempt " + state.attempt()
                                    + " could start",
                            now))
                    .thenRun(this::afterChange);
        }
        String executionId = id + "." + state.attempt();
        return Effect()
                .persist(new TaskAssigned(state.attempt(), state.submitted().target(), executionId, now))
                .thenRun(this::startAttempt);
    }

    private void startAttempt(State s) {
        TaskSubmitted t = s.submitted();
        int attempt = s.attempt();
        Duration left = Duration.between(Instant.now(), s.deadline());
        Duration timeout = left.compareTo(t.attemptTimeout()) < 0 ? left : t.attemptTimeout();
        if (timeout.isNegative() || timeout.isZero()) {
            timeout = Duration.ofMillis(1);
        }
        ActorRef<Command> self = context.getSelf();
        TaskRunner.Attempt run = new TaskRunner.Attempt(
                s.executionId(), t.target(), t.command(), t.submittedBy(), t.principalKind(), t.clientIp(), timeout);
        context.pipeToSelf(
                runner.run(run, () -> self.tell(new AttemptAccepted(attempt, Instant.now()))),
                (result, failure) -> result != null
                        ? new AttemptEnded(
                                attempt,
                                result.exitCode(),
                                result.stdout(),
                                result.stderr(),
                                result.code(),
                                result.message(),
                                result.permanent(),
                                Instant.now())
                        : new AttemptEnded(
                                attempt, null, null, null, "internal", String.valueOf(failure), false, Instant.now()));
    }

    private Effect<Event, State> onAccepted(State state, AttemptAccepted c) {
        if (state.state() != TaskState.ASSIGNED || c.attempt() != state.attempt()) {
            return Effect().none();
        }
        return Effect().persist(new TaskAccepted(c.attempt(), state.agent(), c.at()));
    }

    private Effect<Event, State> onEnded(State state, AttemptEnded c) {
        boolean running = state.state() == TaskState.ASSIGNED || state.state() == TaskState.ACCEPTED;
        if (!running || c.attempt() != state.attempt()) {
            return Effect().none();
        }
        if (c.code() == null) {
            return Effect()
                    .persist(new TaskCompleted(
                            c.attempt(), c.exitCode() == null ? 0 : c.exitCode(), c.stdout(), c.stderr(), c.at()))
                    .thenRun(this::afterChange);
        }
        List<Event> events = new ArrayList<>();
        events.add(new TaskFailed(c.attempt(), c.code(), c.message(), c.exitCode(), c.stdout(), c.stderr(), c.at()));
        events.add(next(state, c));
        return Effect().persist(events).thenRun(this::afterChange);
    }

    /** After a failed attempt: the next one, or the dead-letter queue. */
    private Event next(State state, AttemptEnded failed) {
        TaskSubmitted t = state.submitted();
        Instant now = failed.at();
        if (failed.permanent()) {
            return new TaskDeadLettered(
                    failed.code(),
                    "attempt " + failed.attempt() + " cannot succeed by retrying: " + failed.message(),
                    now);
        }
        if (state.attemptsThisRound() >= t.maxAttempts()) {
            return new TaskDeadLettered(
                    "max_attempts", "all " + t.maxAttempts() + " attempts failed; the last: " + failed.message(), now);
        }
        Duration delay = backoff(
                state.attemptsThisRound(),
                t.backoffInitial(),
                t.backoffMax(),
                ThreadLocalRandom.current().nextDouble());
        Instant notBefore = now.plus(delay);
        if (!notBefore.isBefore(state.deadline())) {
            return new TaskDeadLettered(
                    "deadline",
                    "the next attempt (in " + delay.toMillis() + " ms) would start after the deadline "
                            + state.deadline() + "; the last: " + failed.message(),
                    now);
        }
        return new TaskScheduled(failed.attempt() + 1, notBefore, now);
    }

    private Effect<Event, State> onCancel(State state, Cancel c) {
        if (state.state() == TaskState.COMPLETED || state.state() == TaskState.CANCELLED) {
            return Effect()
                    .reply(
                            c.replyTo(),
                            StatusReply.error("task " + id + " already ended ("
                                    + state.state().wireName() + ")"));
        }
        if (state.state() == TaskState.ASSIGNED || state.state() == TaskState.ACCEPTED) {
            runner.cancel(state.executionId(), c.by());
        }
        return Effect().persist(new TaskCancelled(c.by(), Instant.now())).thenRun(s -> {
            c.replyTo().tell(StatusReply.success(s.status()));
            afterChange(s);
        });
    }

    private Effect<Event, State> onRedrive(State state, Redrive c) {
        if (state.state() != TaskState.DEAD_LETTERED) {
            return Effect()
                    .reply(
                            c.replyTo(),
                            StatusReply.error(
                                    "task " + id + " is " + state.state().wireName() + ", not dead-lettered"));
        }
        Instant now = Instant.now();
        return Effect()
                .persist(List.of(new TaskRedriven(c.by(), now), new TaskScheduled(state.attempt() + 1, now, now)))
                .thenRun(s -> {
                    c.replyTo().tell(StatusReply.success(s.status()));
                    afterChange(s);
                });
    }

    /** Keeps the dispatch timer in step with the state. */
    private void afterChange(State s) {
        if (s.state() == TaskState.SCHEDULED) {
            Duration wait = Duration.between(Instant.now(), s.notBefore());
            timers.startSingleTimer("dispatch", new Dispatch(s.attempt()), wait.isNegative() ? Duration.ZERO : wait);
        } else {
            timers.cancel("dispatch");
        }
    }

    @Override
    public SignalHandler<State> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), s -> {
                    if (!s.exists()) {
                        return;
                    }
                    if (s.state() == TaskState.ASSIGNED || s.state() == TaskState.ACCEPTED) {
                        // The incarnation that ran the attempt is gone, and with it whoever would report its end.
                        runner.cancel(s.executionId(), "task " + id + " recovery");
                        context.getSelf()
                                .tell(new AttemptEnded(
                                        s.attempt(),
                                        null,
                                        null,
                                        null,
                                        "lost",
                                        "the node running attempt " + s.attempt() + " (execution " + s.executionId()
                                                + ") stopped before the attempt ended",
                                        false,
                                        Instant.now()));
                    } else {
                        afterChange(s);
                    }
                })
                .build();
    }

    @Override
    public EventHandler<State, Event> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent(State::apply);
    }

    @Override
    public Set<String> tagsFor(Event event) {
        return TAGS;
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(20, 2);
    }
}

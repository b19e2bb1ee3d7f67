package io.mycelium.task;

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

    /** The dispatcher offers the attempt to a worker agent with a free slot. */
    public record Offer(int attempt, String agentId, ActorRef<WorkerConnection.Command> worker) implements Command {}

    /** The worker accepts its assignment: a lease starts. */
    public record WorkerAccept(int attempt, String agentId, ActorRef<WorkerConnection.Command> replyTo)
            implements Command {}

    /** The worker is still at it (with its progress, or null): the lease is extended. */
    public record WorkerHeartbeat(
            int attempt, String agentId, String progress, ActorRef<WorkerConnection.Command> replyTo)
            implements Command {}

    /** The worker declines its assignment before accepting it. */
    public record WorkerReject(int attempt, String agentId, String reason, ActorRef<WorkerConnection.Command> replyTo)
            implements Command {}

    /**
     * The worker's outcome of an attempt.
     *
     * @param retryable for a failure: whether another attempt may succeed
     */
    public record WorkerReport(
            int attempt,
            String agentId,
            boolean success,
            Integer exitCode,
            String output,
            String message,
            boolean retryable,
            ActorRef<WorkerConnection.Command> replyTo)
            implements Command {}

    /** The worker's connection ended while it had the attempt. */
    public record WorkerLost(int attempt, String agentId) implements Command {}

    /** Timer: the worker did not accept in time. */
    record AcceptTimeout(int attempt) implements Command {}

    /** Timer: the worker's lease ran out without a heartbeat. */
    record LeaseExpired(int attempt) implements Command {}

    /** Timer: a capability task still waiting for a worker announces itself to the dispatcher again. */
    record Redispatch(int attempt) implements Command {}

    // Events -------------------------------------------------------------------------------------------------------

    /** The facts of a task. */
    public sealed interface Event extends KryoSerializable {
        /** When it happened. */
        Instant at();
    }

    /**
     * A task was submitted.
     *
     * @param target the registered host it runs on, or null for a capability task
     * @param capability the capability a worker agent must advertise to run it, or null for a host task
     * @param deadlineAfter how long each round may take, from the submission or the redrive
     * @param attemptTimeout how long one attempt may run
     * @param principalKind how {@code submittedBy} was established ({@code SPIFFE}, {@code TOKEN}, {@code LOCAL})
     */
    public record TaskSubmitted(
            String id,
            String target,
            String capability,
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

    /** The agent gave the attempt back before starting it (not accepted in time, declined, gone): offered again. */
    public record TaskReleased(int attempt, String agent, String reason, Instant at) implements Event {}

    /** An agent reported a completion the task had no use for: an attempt already ended, or another agent's. */
    public record TaskDuplicateCompletion(int attempt, String agent, Instant at) implements Event {}

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
            TaskState next = stateAfter(state, event);
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
                case TaskReleased e ->
                    new State(
                            submitted,
                            next,
                            attempt,
                            roundStart,
                            deadline,
                            e.at(),
                            agent,
                            executionId,
                            last,
                            deadLettered,
                            null,
                            facts);
                case TaskDuplicateCompletion e -> with(next, endTime, facts);
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
                    submitted.capability(),
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
                case TaskSubmitted e -> fact("submitted", e.at(), null).withBy(e.submittedBy());
                case TaskScheduled e ->
                    fact("scheduled", e.at(), e.attempt())
                            .withSchedule(e.notBefore(), Duration.between(e.at(), e.notBefore()));
                case TaskAssigned e -> fact("assigned", e.at(), e.attempt()).withAgent(e.agent(), e.executionId());
                case TaskAccepted e -> fact("accepted", e.at(), e.attempt()).withAgent(e.agent(), null);
                case TaskCompleted e ->
                    fact("completed", e.at(), e.attempt()).withOutput(e.exitCode(), e.stdout(), e.stderr());
                case TaskFailed e ->
                    fact("failed", e.at(), e.attempt())
                            .withOutput(e.exitCode(), e.stdout(), e.stderr())
                            .withError(e.code(), e.message());
                case TaskDeadLettered e -> fact("dead_lettered", e.at(), null).withError(e.code(), e.reason());
                case TaskCancelled e -> fact("cancelled", e.at(), null).withBy(e.by());
                case TaskRedriven e -> fact("redriven", e.at(), null).withBy(e.by());
                case TaskReleased e ->
                    fact("released", e.at(), e.attempt())
                            .withAgent(e.agent(), null)
                            .withError(null, e.reason());
                case TaskDuplicateCompletion e ->
                    fact("duplicate_completion", e.at(), e.attempt()).withAgent(e.agent(), null);
            };
        }

        private static TaskStatus.HistoryEntry fact(String fact, Instant at, Integer attempt) {
            return TaskStatus.HistoryEntry.of(fact, at, attempt);
        }
    }

    /** The state a task is in right after {@code event}: one rule, shared with the node's task index. */
    static TaskState stateAfter(TaskState before, Event event) {
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
            case TaskReleased e -> TaskState.SCHEDULED;
            case TaskDuplicateCompletion e -> before;
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
    private final ActorRef<TaskDispatcher.Command> dispatcher;
    private final WorkerTimeouts worker;
    // The connection of the worker that has the current attempt: transient (a connection does not outlive its node).
    private ActorRef<WorkerConnection.Command> workerRef;

    /** How long a worker has to accept an assignment, and how long a lease lasts without a heartbeat. */
    public record WorkerTimeouts(Duration accept, Duration lease, Duration redispatch) {}

    private Task(
            String id,
            ActorContext<Command> context,
            TimerScheduler<Command> timers,
            TaskRunner runner,
            ActorRef<TaskDispatcher.Command> dispatcher,
            WorkerTimeouts worker) {
        super(PersistenceId.of(TYPE.name(), id));
        this.id = id;
        this.context = context;
        this.timers = timers;
        this.runner = runner;
        this.dispatcher = dispatcher;
        this.worker = worker;
    }

    /**
     * The entity for task {@code id}: a host task's attempts run through {@code runner}, a capability task's are
     * offered to worker agents by {@code dispatcher}.
     */
    public static Behavior<Command> create(
            String id, TaskRunner runner, ActorRef<TaskDispatcher.Command> dispatcher, WorkerTimeouts worker) {
        return Behaviors.withMdc(
                Command.class,
                java.util.Map.of("task_id", id, "module", "tasks"),
                Behaviors.setup(context ->
                        Behaviors.withTimers(timers -> new Task(id, context, timers, runner, dispatcher, worker))));
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
                .onCommand(WorkerAccept.class, (s, c) -> Effect().reply(c.replyTo(), noTask(c.attempt())))
                .onCommand(WorkerHeartbeat.class, (s, c) -> Effect().reply(c.replyTo(), noTask(c.attempt())))
                .onCommand(WorkerReject.class, (s, c) -> Effect().reply(c.replyTo(), noTask(c.attempt())))
                .onCommand(WorkerReport.class, (s, c) -> Effect().reply(c.replyTo(), noTask(c.attempt())))
                .onCommand(Offer.class, (s, c) -> {
                    dispatcher.tell(new TaskDispatcher.SlotFree(c.agentId()));
                    return Effect().none();
                })
                .onAnyCommand(c -> Effect().none());
        builder.forAnyState()
                .onCommand(Submit.class, (s, c) -> Effect().reply(c.replyTo(), new SubmitReply(s.status(), false)))
                .onCommand(GetStatus.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(s.status())))
                .onCommand(Cancel.class, this::onCancel)
                .onCommand(Redrive.class, this::onRedrive)
                .onCommand(Dispatch.class, this::onDispatch)
                .onCommand(AttemptAccepted.class, this::onAccepted)
                .onCommand(AttemptEnded.class, this::onEnded)
                .onCommand(Redispatch.class, this::onRedispatch)
                .onCommand(Offer.class, this::onOffer)
                .onCommand(WorkerAccept.class, this::onWorkerAccept)
                .onCommand(WorkerHeartbeat.class, this::onWorkerHeartbeat)
                .onCommand(WorkerReject.class, this::onWorkerReject)
                .onCommand(WorkerReport.class, this::onWorkerReport)
                .onCommand(WorkerLost.class, this::onWorkerLost)
                .onCommand(AcceptTimeout.class, this::onAcceptTimeout)
                .onCommand(LeaseExpired.class, this::onLeaseExpired);
        return builder.build();
    }

    private StatusReply<TaskStatus> unknown() {
        return StatusReply.error("no task " + id);
    }

    private WorkerConnection.Answer noTask(int attempt) {
        return new WorkerConnection.Answer(id, attempt, "error", null, "not_found", "no task " + id);
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
        if (state.submitted().capability() != null) {
            return onRedispatch(state, new Redispatch(state.attempt()));
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
        return Effect().persist(failure(state, c)).thenRun(this::afterChange);
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

    // Worker agents ------------------------------------------------------------------------------------------------

    private boolean due(State s, int attempt) {
        return s.state() == TaskState.SCHEDULED
                && attempt == s.attempt()
                && !Instant.now().isBefore(s.notBefore());
    }

    private boolean holds(State s, int attempt, String agentId) {
        return (s.state() == TaskState.ASSIGNED || s.state() == TaskState.ACCEPTED)
                && attempt == s.attempt()
                && agentId.equals(s.agent());
    }

    /** Announces the waiting attempt to the dispatcher, again and again until a worker has it. */
    private Effect<Event, State> onRedispatch(State state, Redispatch c) {
        if (due(state, c.attempt())) {
            dispatcher.tell(new TaskDispatcher.Ready(id, state.submitted().capability(), state.attempt()));
            timers.startSingleTimer("dispatch", new Redispatch(state.attempt()), worker.redispatch());
        }
        return Effect().none();
    }

    private Effect<Event, State> onOffer(State state, Offer c) {
        if (!due(state, c.attempt())) {
            dispatcher.tell(new TaskDispatcher.SlotFree(c.agentId()));
            return Effect().none();
        }
        return Effect()
                .persist(new TaskAssigned(state.attempt(), c.agentId(), null, Instant.now()))
                .thenRun(s -> {
                    timers.cancel("dispatch");
                    workerRef = c.worker();
                    c.worker()
                            .tell(new WorkerConnection.Assign(
                                    id, s.attempt(), s.submitted().command(), worker.accept(), worker.lease()));
                    timers.startSingleTimer("accept", new AcceptTimeout(s.attempt()), worker.accept());
                });
    }

    private WorkerConnection.Answer refused(int attempt, String code, String message) {
        return new WorkerConnection.Answer(id, attempt, "error", null, code, message);
    }

    private Effect<Event, State> onWorkerAccept(State state, WorkerAccept c) {
        if (!holds(state, c.attempt(), c.agentId()) || state.state() != TaskState.ASSIGNED) {
            return Effect()
                    .reply(
                            c.replyTo(),
                            refused(
                                    c.attempt(),
                                    "not_assigned",
                                    "attempt " + c.attempt() + " of task " + id
                                            + " is not assigned to " + c.agentId() + " (it is "
                                            + state.state().wireName()
                                            + ")"));
        }
        return Effect()
                .persist(new TaskAccepted(c.attempt(), c.agentId(), Instant.now()))
                .thenRun(s -> {
                    workerRef = c.replyTo();
                    timers.cancel("accept");
                    c.replyTo().tell(lease(s.attempt()));
                });
    }

    private WorkerConnection.Answer lease(int attempt) {
        timers.startSingleTimer("lease", new LeaseExpired(attempt), worker.lease());
        return new WorkerConnection.Answer(id, attempt, "leased", Instant.now().plus(worker.lease()), null, null);
    }

    private Effect<Event, State> onWorkerHeartbeat(State state, WorkerHeartbeat c) {
        if (!holds(state, c.attempt(), c.agentId()) || state.state() != TaskState.ACCEPTED) {
            return Effect()
                    .reply(
                            c.replyTo(),
                            refused(
                                    c.attempt(),
                                    "not_assigned",
                                    "attempt " + c.attempt() + " of task " + id + " is not leased to " + c.agentId()));
        }
        return Effect().reply(c.replyTo(), lease(c.attempt()));
    }

    private Effect<Event, State> onWorkerReject(State state, WorkerReject c) {
        if (!holds(state, c.attempt(), c.agentId()) || state.state() != TaskState.ASSIGNED) {
            return Effect()
                    .reply(
                            c.replyTo(),
                            refused(
                                    c.attempt(),
                                    "not_assigned",
                                    "attempt " + c.attempt() + " of task " + id + " is not assigned to "
                                            + c.agentId()));
        }
        String reason = "declined by " + c.agentId() + (c.reason() == null ? "" : ": " + c.reason());
        return Effect()
                .persist(new TaskReleased(c.attempt(), c.agentId(), reason, Instant.now()))
                .thenRun(s -> {
                    c.replyTo().tell(new WorkerConnection.Answer(id, c.attempt(), "released", null, null, null));
                    afterChange(s);
                });
    }

    private Effect<Event, State> onWorkerReport(State state, WorkerReport c) {
        if (!holds(state, c.attempt(), c.agentId())) {
            if (c.success()) {
                String message = "task " + id + " has no use for this completion of attempt " + c.attempt() + " by "
                        + c.agentId() + ": it is " + state.state().wireName() + " at attempt " + state.attempt()
                        + (state.agent() == null ? "" : " (" + state.agent() + ")");
                return Effect()
                        .persist(new TaskDuplicateCompletion(c.attempt(), c.agentId(), Instant.now()))
                        .thenReply(c.replyTo(), s -> refused(c.attempt(), "duplicate_completion", message));
            }
            return Effect()
                    .reply(
                            c.replyTo(),
                            refused(
                                    c.attempt(),
                                    "not_assigned",
                                    "attempt " + c.attempt() + " of task " + id + " is not assigned to "
                                            + c.agentId()));
        }
        timers.cancel("lease");
        timers.cancel("accept");
        Instant now = Instant.now();
        WorkerConnection.Answer acked = new WorkerConnection.Answer(id, c.attempt(), "acked", null, null, null);
        if (c.success()) {
            return Effect()
                    .persist(new TaskCompleted(
                            c.attempt(), c.exitCode() == null ? 0 : c.exitCode(), c.output(), null, now))
                    .thenRun(s -> {
                        c.replyTo().tell(acked);
                        afterChange(s);
                    });
        }
        AttemptEnded failed = new AttemptEnded(
                c.attempt(),
                c.exitCode(),
                c.output(),
                null,
                "agent_failed",
                c.agentId() + " failed the attempt" + (c.message() == null ? "" : ": " + c.message()),
                !c.retryable(),
                now);
        return Effect().persist(failure(state, failed)).thenRun(s -> {
            c.replyTo().tell(acked);
            afterChange(s);
        });
    }

    private Effect<Event, State> onWorkerLost(State state, WorkerLost c) {
        if (!holds(state, c.attempt(), c.agentId())) {
            return Effect().none();
        }
        return lose(state, "agent_disconnected", "the connection of " + c.agentId() + " ended");
    }

    private Effect<Event, State> onAcceptTimeout(State state, AcceptTimeout c) {
        if (state.state() != TaskState.ASSIGNED || c.attempt() != state.attempt()) {
            return Effect().none();
        }
        return lose(
                state,
                "not_accepted",
                state.agent() + " did not accept within " + worker.accept().toMillis() + " ms");
    }

    private Effect<Event, State> onLeaseExpired(State state, LeaseExpired c) {
        if (state.state() != TaskState.ACCEPTED || c.attempt() != state.attempt()) {
            return Effect().none();
        }
        return lose(
                state,
                "lease_expired",
                "no heartbeat from " + state.agent() + " within the lease of "
                        + worker.lease().toMillis() + " ms");
    }

    /**
     * The worker lost the attempt: one it never accepted is offered again at once (no attempt is used); one it had
     * accepted failed and the retry rules apply. Either way the worker is told, in case it still runs.
     */
    private Effect<Event, State> lose(State state, String code, String message) {
        timers.cancel("lease");
        timers.cancel("accept");
        if (workerRef != null) {
            workerRef.tell(new WorkerConnection.Revoke(id, state.attempt(), message));
            workerRef = null;
        }
        Instant now = Instant.now();
        if (state.state() == TaskState.ASSIGNED) {
            return Effect()
                    .persist(new TaskReleased(state.attempt(), state.agent(), message, now))
                    .thenRun(this::afterChange);
        }
        return Effect()
                .persist(failure(state, new AttemptEnded(state.attempt(), null, null, null, code, message, false, now)))
                .thenRun(this::afterChange);
    }

    /** The facts of a failed attempt: the failure, then the next attempt or the dead-letter queue. */
    private List<Event> failure(State state, AttemptEnded c) {
        return List.of(
                new TaskFailed(c.attempt(), c.code(), c.message(), c.exitCode(), c.stdout(), c.stderr(), c.at()),
                next(state, c));
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
            if (state.executionId() != null) {
                runner.cancel(state.executionId(), c.by());
            }
            if (workerRef != null) {
                workerRef.tell(new WorkerConnection.Revoke(id, state.attempt(), "cancelled by " + c.by()));
                workerRef = null;
            }
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
        if (s.state() != TaskState.ASSIGNED && s.state() != TaskState.ACCEPTED) {
            timers.cancel("accept");
            timers.cancel("lease");
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
                        if (s.executionId() != null) {
                            runner.cancel(s.executionId(), "task " + id + " recovery");
                        }
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

package io.mycelium.exec;

import io.mycelium.exec.audit.AuditLogLine;
import io.mycelium.exec.audit.ExecAuditLog;
import io.mycelium.exec.policy.PolicyDecision;
import io.mycelium.host.HostContext;
import io.mycelium.journal.KryoSerializable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
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
 * One exec request, event-sourced: its facts (requested, authorized or denied or pending approval, process started,
 * exited, cancelled, timed out, failed, audited) are the truth, and its status is rebuilt from them, also after a
 * restart. Output is never journaled: it streams from the host's context to the client.
 *
 * <p>The entity decides nothing itself (the policy decision arrives with the request) and starts nothing: the node
 * serving the client asks the host's context to run the process once the entity has recorded the authorization, and
 * the context reports the process's start and exit here. While the outcome is open the entity probes the context, so
 * an execution whose node died is closed as failed instead of running forever in the records.
 */
public final class Execution extends EventSourcedBehavior<Execution.Command, Execution.Event, Execution.State> {

    /** The sharded entity type; the entity id is the execution id. */
    public static final EntityTypeKey<Command> TYPE = EntityTypeKey.create(Command.class, "Execution");

    /** Journal tag of every execution event. */
    public static final String TAG = "exec";

    /** Journal tag of the audit records. */
    public static final String AUDIT_TAG = "audit";

    // Commands -----------------------------------------------------------------------------------------------------

    /** What an execution answers. */
    public sealed interface Command extends KryoSerializable {}

    /** Records a new request with its policy decision; replies once both are in the journal. */
    public record Submit(ExecRequested requested, PolicyDecision decision, ActorRef<Decision> replyTo)
            implements Command {}

    /** Replies once the execution is decided (at once when it is): the way a client waits for an approver. */
    public record AwaitDecision(ActorRef<Decision> replyTo) implements Command {}

    /** An approver's answer to a request pending approval. */
    public record Decide(boolean approve, String approver, String reason, ActorRef<StatusReply<ExecStatus>> replyTo)
            implements Command {}

    /** The host's context started the process. */
    public record ProcessStart(String host, long pid, Instant at) implements Command {}

    /** The process exited. */
    public record ProcessExit(int exitCode, int signal, boolean timedOut, Duration duration, Instant at)
            implements Command {}

    /** The run failed before or instead of an exit. */
    public record RunFailed(String code, String message, Instant at) implements Command {}

    /** Cancels: a pending or authorized request ends, a running process is killed. */
    public record Cancel(String by, ActorRef<StatusReply<ExecStatus>> replyTo) implements Command {}

    /** Replies with the status, or an error when no such execution was ever requested. */
    public record GetStatus(ActorRef<StatusReply<ExecStatus>> replyTo) implements Command {}

    /** Timer: asks the host's context whether it still knows the run. */
    record Probe() implements Command {}

    /** The context's answer to a probe. */
    record ProbeAnswer(HostContext.RunState state) implements Command {}

    /** How a submitted request was decided. */
    public sealed interface Decision extends KryoSerializable {
        /** The execution's status when the decision was made. */
        ExecStatus status();
    }

    /** Allowed (by policy, or by an approver): the caller may ask the context to run it now. */
    public record Authorized(ExecStatus status, PolicyDecision.Allowed allowed) implements Decision {}

    /** Waiting for an approver; send {@link AwaitDecision} to wait. */
    public record PendingApproval(ExecStatus status) implements Decision {}

    /** Refused: denied, cancelled, or the id was already used. */
    public record Refused(ExecStatus status, String code, String message) implements Decision {}

    // Events -------------------------------------------------------------------------------------------------------

    /** The facts of an execution. */
    public sealed interface Event extends KryoSerializable {}

    /**
     * A request arrived.
     *
     * @param command the command with secrets redacted (the journal never holds them)
     */
    public record ExecRequested(
            String id,
            String agentId,
            List<String> command,
            String workDir,
            String user,
            Duration timeout,
            boolean interactive,
            boolean tty,
            String requestedBy,
            String clientIp,
            Instant requestTime,
            Instant receivedAt)
            implements Event {}

    /** The request may run: by a policy, or by an approver when {@code approvedBy} is set. */
    public record ExecAuthorized(PolicyDecision.Allowed decision, String approvedBy, Instant at) implements Event {}

    /** The request may not run: by a policy, or by an approver when {@code deniedBy} is set. */
    public record ExecDenied(String policy, String reason, String deniedBy, Instant at) implements Event {}

    /** The request waits for an approver. */
    public record ExecPendingApproval(PolicyDecision.Allowed decision, Instant at) implements Event {}

    /** The process started. */
    public record ProcessStarted(String host, long pid, Instant at) implements Event {}

    /** The process exited. */
    public record ProcessExited(int exitCode, int signal, Duration duration, Instant at) implements Event {}

    /** Someone cancelled it. */
    public record ExecCancelled(String by, Instant at) implements Event {}

    /** The process ran past its timeout and was killed. */
    public record ExecTimedOut(Duration timeout, Instant at) implements Event {}

    /** It could not run, or its outcome was lost. */
    public record ExecFailed(String code, String message, Instant at) implements Event {}

    /** The audit record, written once the execution reached its final state. */
    public record ExecAudited(ExecAuditLog log) implements Event {}

    // State --------------------------------------------------------------------------------------------------------

    /** The execution as its facts describe it; {@code requested} is null before any fact. */
    public record State(
            ExecRequested requested,
            ExecStatus.State state,
            PolicyDecision.Allowed allowed,
            String policy,
            String reason,
            String approvedBy,
            String host,
            long pid,
            Integer exitCode,
            int signal,
            boolean timedOut,
            String cancelledBy,
            Instant startTime,
            Instant endTime,
            Duration duration,
            boolean audited)
            implements KryoSerializable {

        static State empty() {
            return new State(
                    null, null, null, null, null, null, null, 0, null, 0, false, null, null, null, null, false);
        }

        boolean exists() {
            return requested != null;
        }

        /** The state after one fact: each fact changes only what it says. */
        State apply(Event event) {
            return switch (event) {
                case ExecRequested e -> empty().edit(s -> s.requested = e);
                case ExecAuthorized e ->
                    edit(s -> {
                        s.state = ExecStatus.State.AUTHORIZED;
                        s.allowed = e.decision();
                        s.policy = e.decision().policy();
                        s.approvedBy = e.approvedBy();
                    });
                case ExecPendingApproval e ->
                    edit(s -> {
                        s.state = ExecStatus.State.PENDING_APPROVAL;
                        s.allowed = e.decision();
                        s.policy = e.decision().policy();
                    });
                case ExecDenied e ->
                    edit(s -> {
                        s.state = ExecStatus.State.DENIED;
                        s.policy = e.policy();
                        s.reason = e.reason();
                        s.endTime = e.at();
                    });
                case ProcessStarted e ->
                    edit(s -> {
                        s.state = ExecStatus.State.RUNNING;
                        s.host = e.host();
                        s.pid = e.pid();
                        s.startTime = e.at();
                    });
                case ProcessExited e ->
                    edit(s -> {
                        s.state = ExecStatus.State.EXITED;
                        s.exitCode = e.exitCode();
                        s.signal = e.signal();
                        s.endTime = e.at();
                        s.duration = e.duration();
                    });
                case ExecCancelled e ->
                    edit(s -> {
                        s.cancelledBy = e.by();
                        // A running process is killed and its exit follows; anything earlier simply ends here.
                        if (state != ExecStatus.State.RUNNING) {
                            s.state = ExecStatus.State.CANCELLED;
                            s.endTime = e.at();
                        }
                    });
                case ExecTimedOut e -> edit(s -> s.timedOut = true);
                case ExecFailed e ->
                    edit(s -> {
                        // A cancelled process dies by the cancel: that is its end, not a failure.
                        s.state = cancelledBy != null ? ExecStatus.State.CANCELLED : ExecStatus.State.FAILED;
                        s.reason = e.message();
                        s.endTime = e.at();
                    });
                case ExecAudited e -> edit(s -> s.audited = true);
            };
        }

        private State edit(java.util.function.Consumer<Draft> change) {
            Draft draft = new Draft(this);
            change.accept(draft);
            return draft.build();
        }

        /** A copy of a state being changed by one event; lives only inside {@link #apply}. */
        private static final class Draft {
            ExecRequested requested;
            ExecStatus.State state;
            PolicyDecision.Allowed allowed;
            String policy;
            String reason;
            String approvedBy;
            String host;
            long pid;
            Integer exitCode;
            int signal;
            boolean timedOut;
            String cancelledBy;
            Instant startTime;
            Instant endTime;
            Duration duration;
            boolean audited;

            Draft(State s) {
                requested = s.requested;
                state = s.state;
                allowed = s.allowed;
                policy = s.policy;
                reason = s.reason;
                approvedBy = s.approvedBy;
                host = s.host;
                pid = s.pid;
                exitCode = s.exitCode;
                signal = s.signal;
                timedOut = s.timedOut;
                cancelledBy = s.cancelledBy;
                startTime = s.startTime;
                endTime = s.endTime;
                duration = s.duration;
                audited = s.audited;
            }

            State build() {
                return new State(
                        requested,
                        state,
                        allowed,
                        policy,
                        reason,
                        approvedBy,
                        host,
                        pid,
                        exitCode,
                        signal,
                        timedOut,
                        cancelledBy,
                        startTime,
                        endTime,
                        duration,
                        audited);
            }
        }

        ExecStatus status() {
            return new ExecStatus(
                    requested.id(),
                    requested.agentId(),
                    state,
                    requested.command(),
                    requested.requestedBy(),
                    policy,
                    reason,
                    pid,
                    exitCode,
                    signal,
                    timedOut,
                    cancelledBy != null,
                    cancelledBy,
                    approvedBy,
                    requested.receivedAt(),
                    startTime,
                    endTime,
                    duration,
                    allowed == null ? List.of() : allowed.droppedEnvironment());
        }

        ExecAuditLog auditLog() {
            return new ExecAuditLog(
                    requested.id(),
                    requested.agentId(),
                    requested.requestedBy(),
                    requested.command(),
                    exitCode,
                    startTime,
                    duration,
                    requested.clientIp(),
                    state != ExecStatus.State.DENIED,
                    policy,
                    state.name().toLowerCase(java.util.Locale.ROOT),
                    reason,
                    endTime);
        }
    }

    // Behavior -----------------------------------------------------------------------------------------------------

    private static final Set<String> TAGS = Set.of(TAG);
    private static final Set<String> AUDIT_TAGS = Set.of(TAG, AUDIT_TAG);

    private final String id;
    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final ClusterSharding sharding;
    private final ExecSettings settings;
    // Clients waiting for an approver: transient by nature (a reply target does not outlive its node).
    private final List<ActorRef<Decision>> waiting = new ArrayList<>();

    private Execution(
            String id,
            ActorContext<Command> context,
            TimerScheduler<Command> timers,
            ClusterSharding sharding,
            ExecSettings settings) {
        super(PersistenceId.of(TYPE.name(), id));
        this.id = id;
        this.context = context;
        this.timers = timers;
        this.sharding = sharding;
        this.settings = settings;
    }

    /** The entity for execution {@code id}. */
    public static Behavior<Command> create(String id, ClusterSharding sharding, ExecSettings settings) {
        return Behaviors.setup(
                context -> Behaviors.withTimers(timers -> new Execution(id, context, timers, sharding, settings)));
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
                .onCommand(Decide.class, (s, c) -> Effect().reply(c.replyTo(), unknown()))
                .onCommand(AwaitDecision.class, (s, c) -> Effect().none())
                .onAnyCommand(c -> Effect().none());
        builder.forAnyState()
                .onCommand(
                        Submit.class,
                        (s, c) -> Effect()
                                .reply(
                                        c.replyTo(),
                                        new Refused(
                                                s.status(),
                                                "conflict",
                                                "execution id " + id + " was already used by a request at "
                                                        + s.requested().receivedAt())))
                .onCommand(AwaitDecision.class, this::onAwaitDecision)
                .onCommand(Decide.class, this::onDecide)
                .onCommand(ProcessStart.class, this::onProcessStart)
                .onCommand(ProcessExit.class, this::onProcessExit)
                .onCommand(RunFailed.class, this::onRunFailed)
                .onCommand(Cancel.class, this::onCancel)
                .onCommand(GetStatus.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(s.status())))
                .onCommand(Probe.class, this::onProbe)
                .onCommand(ProbeAnswer.class, this::onProbeAnswer)
                .onCommand(AuditNow.class, this::onAuditNow);
        return builder.build();
    }

    private StatusReply<ExecStatus> unknown() {
        return StatusReply.error("no execution " + id);
    }

    private Effect<Event, State> onSubmit(State state, Submit c) {
        Instant now = Instant.now();
        Event decided = switch (c.decision()) {
            case PolicyDecision.Denied d -> new ExecDenied(d.policy(), d.reason(), null, now);
            case PolicyDecision.Allowed a when a.approvalRequired() -> new ExecPendingApproval(a, now);
            case PolicyDecision.Allowed a -> new ExecAuthorized(a, null, now);
        };
        return Effect().persist(List.of(c.requested(), decided)).thenRun(s -> {
            c.replyTo().tell(decision(s));
            afterChange(s);
        });
    }

    private Effect<Event, State> onAwaitDecision(State state, AwaitDecision c) {
        if (state.state() == ExecStatus.State.PENDING_APPROVAL) {
            waiting.add(c.replyTo());
            return Effect().none();
        }
        return Effect().reply(c.replyTo(), decision(state));
    }

    private Effect<Event, State> onDecide(State state, Decide c) {
        if (state.state() != ExecStatus.State.PENDING_APPROVAL) {
            return Effect()
                    .reply(
                            c.replyTo(),
                            StatusReply.error("execution " + id + " is "
                                    + state.state().name().toLowerCase(java.util.Locale.ROOT)
                                    + ", not pending approval"));
        }
        if (c.approver().equals(state.requested().requestedBy())) {
            return Effect().reply(c.replyTo(), StatusReply.error("a request cannot be approved by its requester"));
        }
        Event event = c.approve()
                ? new ExecAuthorized(state.allowed(), c.approver(), Instant.now())
                : new ExecDenied(
                        state.policy(),
                        c.reason() == null || c.reason().isBlank() ? "denied by an approver" : c.reason(),
                        c.approver(),
                        Instant.now());
        return Effect().persist(event).thenRun(s -> {
            c.replyTo().tell(StatusReply.success(s.status()));
            afterChange(s);
        });
    }

    private Effect<Event, State> onProcessStart(State state, ProcessStart c) {
        if (state.state() != ExecStatus.State.AUTHORIZED) {
            return Effect().none();
        }
        return Effect().persist(new ProcessStarted(c.host(), c.pid(), c.at())).thenRun(this::afterChange);
    }

    private Effect<Event, State> onProcessExit(State state, ProcessExit c) {
        if (state.state() != ExecStatus.State.RUNNING && state.state() != ExecStatus.State.AUTHORIZED) {
            return Effect().none();
        }
        List<Event> events = new ArrayList<>();
        if (c.timedOut()) {
            events.add(new ExecTimedOut(
                    state.allowed() == null ? null : state.allowed().timeout(), c.at()));
        }
        events.add(new ProcessExited(c.exitCode(), c.signal(), c.duration(), c.at()));
        return Effect().persist(events).thenRun(this::afterChange);
    }

    private Effect<Event, State> onRunFailed(State state, RunFailed c) {
        if (state.state() == null || state.state().terminal()) {
            return Effect().none();
        }
        return Effect().persist(new ExecFailed(c.code(), c.message(), c.at())).thenRun(this::afterChange);
    }

    private Effect<Event, State> onCancel(State state, Cancel c) {
        if (state.state().terminal()) {
            return Effect()
                    .reply(
                            c.replyTo(),
                            StatusReply.error("execution " + id + " already ended ("
                                    + state.state().name().toLowerCase(java.util.Locale.ROOT) + ")"));
        }
        if (state.cancelledBy() != null) {
            return Effect().reply(c.replyTo(), StatusReply.success(state.status()));
        }
        if (state.state() == ExecStatus.State.RUNNING || state.state() == ExecStatus.State.AUTHORIZED) {
            sharding.entityRefFor(HostContext.TYPE, state.requested().agentId())
                    .tell(new HostContext.Cancel(id, c.by()));
        }
        return Effect().persist(new ExecCancelled(c.by(), Instant.now())).thenRun(s -> {
            c.replyTo().tell(StatusReply.success(s.status()));
            afterChange(s);
        });
    }

    private Effect<Event, State> onProbe(State state, Probe c) {
        if (state.state() != ExecStatus.State.RUNNING && state.state() != ExecStatus.State.AUTHORIZED) {
            return Effect().none();
        }
        context.ask(
                HostContext.RunState.class,
                sharding.entityRefFor(HostContext.TYPE, state.requested().agentId()),
                settings.probeInterval(),
                replyTo -> new HostContext.IsRunning(id, replyTo),
                (answer, failure) -> new ProbeAnswer(answer == null ? HostContext.RunState.UNREACHABLE : answer));
        return Effect().none();
    }

    private Effect<Event, State> onProbeAnswer(State state, ProbeAnswer c) {
        boolean open = state.state() == ExecStatus.State.RUNNING || state.state() == ExecStatus.State.AUTHORIZED;
        if (!open || c.state() != HostContext.RunState.UNKNOWN) {
            return Effect().none();
        }
        Instant since = state.startTime() != null
                ? state.startTime()
                : state.requested().receivedAt();
        if (state.state() == ExecStatus.State.AUTHORIZED
                && Duration.between(since, Instant.now()).compareTo(settings.startGrace()) < 0) {
            return Effect().none();
        }
        String message = state.state() == ExecStatus.State.RUNNING
                ? "the context of " + state.requested().agentId()
                        + " no longer knows the process: the node or agent connection that ran it ended before it"
                        + " reported an exit (the agent takes its processes with it)"
                : "the process was never started: the client that was to start it went away";
        return Effect().persist(new ExecFailed("lost", message, Instant.now())).thenRun(this::afterChange);
    }

    /** Replies to waiting clients, audits a final state, and keeps the probe running while the outcome is open. */
    private void afterChange(State s) {
        if (s.state() != ExecStatus.State.PENDING_APPROVAL && !waiting.isEmpty()) {
            Decision d = decision(s);
            waiting.forEach(w -> w.tell(d));
            waiting.clear();
        }
        if (s.state() == ExecStatus.State.RUNNING || s.state() == ExecStatus.State.AUTHORIZED) {
            if (!timers.isTimerActive("probe")) {
                timers.startTimerWithFixedDelay("probe", new Probe(), settings.probeInterval());
            }
        } else {
            timers.cancel("probe");
        }
        if (s.state().terminal() && !s.audited()) {
            context.getSelf().tell(new AuditNow());
        }
    }

    private Decision decision(State s) {
        return switch (s.state()) {
            case PENDING_APPROVAL -> new PendingApproval(s.status());
            case AUTHORIZED, RUNNING, EXITED ->
                s.allowed() != null && s.state() == ExecStatus.State.AUTHORIZED
                        ? new Authorized(s.status(), s.allowed())
                        : new Refused(
                                s.status(),
                                "conflict",
                                "execution " + id + " is already "
                                        + s.state().name().toLowerCase(java.util.Locale.ROOT));
            case DENIED -> new Refused(s.status(), "denied", s.reason());
            case CANCELLED ->
                new Refused(s.status(), "cancelled", "execution " + id + " was cancelled by " + s.cancelledBy());
            case FAILED -> new Refused(s.status(), "failed", s.reason());
        };
    }

    private Effect<Event, State> onAuditNow(State state, AuditNow c) {
        if (state.audited() || state.state() == null || !state.state().terminal()) {
            return Effect().none();
        }
        ExecAuditLog log = state.auditLog();
        return Effect().persist(new ExecAudited(log)).thenRun(s -> AuditLogLine.write(log));
    }

    /** Self-message: write the audit record of a final state (a separate persist, after the final fact). */
    record AuditNow() implements Command {}

    @Override
    public SignalHandler<State> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), s -> {
                    if (s.exists()) {
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
        return event instanceof ExecAudited ? AUDIT_TAGS : TAGS;
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(20, 2);
    }
}

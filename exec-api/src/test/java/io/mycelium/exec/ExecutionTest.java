package io.mycelium.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.mycelium.exec.policy.PolicyDecision;
import io.mycelium.exec.policy.ResourceLimits;
import io.mycelium.host.ClusterTestKit;
import io.mycelium.host.HostContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@link Execution} entity on the persistence testkit: the facts each path writes, its replies, and its status
 * after a restart. The host's context is a stand-in sharded entity that reports what it was told and answers probes
 * as each test sets.
 */
class ExecutionTest {
    private static final AtomicInteger IDS = new AtomicInteger();
    /** What the stand-in context answers to a probe, per execution; RUNNING when unset. */
    private static final Map<String, HostContext.RunState> RUN_STATES = new ConcurrentHashMap<>();

    private static ActorTestKit kit;
    private static ClusterSharding sharding;
    private static TestProbe<HostContext.Command> context;

    @BeforeAll
    static void start() {
        kit = ClusterTestKit.start("ExecutionTest", "");
        sharding = ClusterSharding.get(kit.system());
        context = kit.createTestProbe();
        sharding.init(Entity.of(
                HostContext.TYPE,
                entity -> Behaviors.receiveMessage(command -> {
                    context.ref().tell(command);
                    if (command instanceof HostContext.IsRunning ask) {
                        ask.replyTo().tell(RUN_STATES.getOrDefault(ask.execId(), HostContext.RunState.RUNNING));
                    }
                    return Behaviors.same();
                })));
    }

    @AfterAll
    static void stop() {
        ClusterTestKit.stop(kit);
    }

    private static ExecSettings settings(Duration probeInterval, Duration startGrace) {
        return new ExecSettings(1024, Duration.ofSeconds(5), Duration.ofSeconds(5), probeInterval, startGrace);
    }

    private record Run(String id, EventSourcedBehaviorTestKit<Execution.Command, Execution.Event, Execution.State> es) {
        List<Object> facts() {
            return es.persistenceTestKit().persistedInStorage("Execution|" + id);
        }

        ExecStatus status() {
            return es.<StatusReply<ExecStatus>>runCommand(Execution.GetStatus::new)
                    .reply()
                    .getValue();
        }
    }

    private static Run execution(ExecSettings settings) {
        String id = "x-" + IDS.incrementAndGet();
        return new Run(id, EventSourcedBehaviorTestKit.create(kit.system(), Execution.create(id, sharding, settings)));
    }

    private static Run execution() {
        return execution(settings(Duration.ofHours(1), Duration.ofSeconds(30)));
    }

    private static Execution.ExecRequested requested(String id) {
        return new Execution.ExecRequested(
                id,
                "web1",
                List.of("echo", "hi"),
                null,
                null,
                Duration.ofSeconds(30),
                false,
                false,
                "alice",
                "127.0.0.1",
                null,
                Instant.now());
    }

    private static PolicyDecision.Allowed allowed(boolean approval) {
        return new PolicyDecision.Allowed(
                "web", approval, Duration.ofSeconds(30), Map.of(), List.of("LD_PRELOAD"), ResourceLimits.NONE);
    }

    private static Execution.Decision submit(Run run, PolicyDecision decision) {
        return run.es()
                .<Execution.Decision>runCommand(r -> new Execution.Submit(requested(run.id()), decision, r))
                .reply();
    }

    private static List<Class<?>> factTypes(Run run) {
        return run.facts().stream().<Class<?>>map(Object::getClass).toList();
    }

    private static void awaitFacts(Run run, Class<?>... types) {
        kit.createTestProbe().awaitAssert(Duration.ofSeconds(5), () -> {
            assertThat(factTypes(run)).containsExactly(types);
            return null;
        });
    }

    /** What the stand-in context receives within {@code window} (other tests' probes included). */
    private static List<HostContext.Command> contextMessages(Duration window) {
        List<HostContext.Command> seen = new ArrayList<>();
        long deadline = System.nanoTime() + window.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                seen.add(context.receiveMessage(Duration.ofNanos(Math.max(1, deadline - System.nanoTime()))));
            } catch (AssertionError timeout) {
                break;
            }
        }
        return seen;
    }

    @Test
    void anAllowedRunWritesRequestedAuthorizedStartedExitedAudited() {
        Run run = execution();
        Execution.Decision decision = submit(run, allowed(false));
        assertThat(decision).isInstanceOfSatisfying(Execution.Authorized.class, a -> {
            assertThat(a.allowed().policy()).isEqualTo("web");
            assertThat(a.status().state()).isEqualTo(ExecStatus.State.AUTHORIZED);
        });

        var started = run.es().runCommand(new Execution.ProcessStart("web1", 4242, Instant.now()));
        assertThat(started.events()).singleElement().isInstanceOf(Execution.ProcessStarted.class);
        var exited = run.es().runCommand(new Execution.ProcessExit(0, 0, false, Duration.ofMillis(12), Instant.now()));
        assertThat(exited.eventOfType(Execution.ProcessExited.class).exitCode()).isZero();

        awaitFacts(
                run,
                Execution.ExecRequested.class,
                Execution.ExecAuthorized.class,
                Execution.ProcessStarted.class,
                Execution.ProcessExited.class,
                Execution.ExecAudited.class);
        Execution.ExecAudited audit = (Execution.ExecAudited) run.facts().get(4);
        assertThat(audit.log().authorized()).isTrue();
        assertThat(audit.log().exitCode()).isZero();
        assertThat(audit.log().policyApplied()).isEqualTo("web");

        ExecStatus status = run.status();
        assertThat(status.state()).isEqualTo(ExecStatus.State.EXITED);
        assertThat(status.pid()).isEqualTo(4242);
        assertThat(status.exitCode()).isZero();
        assertThat(status.duration()).isEqualTo(Duration.ofMillis(12));
        assertThat(status.droppedEnvironment()).containsExactly("LD_PRELOAD");
        assertThat(status.endTime()).isNotNull();
    }

    @Test
    void aDeniedRequestIsRefusedAndAuditedAsUnauthorized() {
        Run run = execution();
        Execution.Decision decision = submit(run, new PolicyDecision.Denied("guard", "command matches \"rm *\""));
        assertThat(decision).isInstanceOfSatisfying(Execution.Refused.class, r -> {
            assertThat(r.code()).isEqualTo("denied");
            assertThat(r.message()).contains("rm *");
        });
        awaitFacts(run, Execution.ExecRequested.class, Execution.ExecDenied.class, Execution.ExecAudited.class);
        Execution.ExecAudited audit = (Execution.ExecAudited) run.facts().get(2);
        assertThat(audit.log().authorized()).isFalse();
        assertThat(audit.log().policyApplied()).isEqualTo("guard");
        assertThat(run.status().state()).isEqualTo(ExecStatus.State.DENIED);

        // A denied execution never starts, whatever a context claims.
        assertThat(run.es()
                        .runCommand(new Execution.ProcessStart("web1", 1, Instant.now()))
                        .hasNoEvents())
                .isTrue();
    }

    @Test
    void aReusedIdIsRefusedWithoutNewFacts() {
        Run run = execution();
        submit(run, allowed(false));
        var again = run.es()
                .<Execution.Decision>runCommand(r -> new Execution.Submit(requested(run.id()), allowed(false), r));
        assertThat(again.hasNoEvents()).isTrue();
        assertThat(again.reply())
                .isInstanceOfSatisfying(
                        Execution.Refused.class, r -> assertThat(r.code()).isEqualTo("conflict"));
    }

    @Test
    void aPendingRequestRunsOnceAnotherPrincipalApproves() {
        Run run = execution();
        assertThat(submit(run, allowed(true))).isInstanceOf(Execution.PendingApproval.class);
        TestProbe<Execution.Decision> waiting = kit.createTestProbe();
        run.es().runCommand(new Execution.AwaitDecision(waiting.ref()));
        waiting.expectNoMessage(Duration.ofMillis(100));

        var self = run.es().<StatusReply<ExecStatus>>runCommand(r -> new Execution.Decide(true, "alice", null, r));
        assertThat(self.reply().isError()).isTrue();
        assertThat(self.reply().getError().getMessage()).contains("its requester");
        assertThat(self.hasNoEvents()).isTrue();

        var approved = run.es().<StatusReply<ExecStatus>>runCommand(r -> new Execution.Decide(true, "bob", null, r));
        assertThat(approved.eventOfType(Execution.ExecAuthorized.class).approvedBy())
                .isEqualTo("bob");
        assertThat(approved.reply().getValue().approvedBy()).isEqualTo("bob");
        assertThat(waiting.expectMessageClass(Execution.Authorized.class)
                        .status()
                        .state())
                .isEqualTo(ExecStatus.State.AUTHORIZED);

        var late = run.es().<StatusReply<ExecStatus>>runCommand(r -> new Execution.Decide(false, "carol", null, r));
        assertThat(late.reply().getError().getMessage()).contains("not pending approval");
    }

    @Test
    void aPendingRequestDeniedByAnApproverEndsWithTheReason() {
        Run run = execution();
        submit(run, allowed(true));
        TestProbe<Execution.Decision> waiting = kit.createTestProbe();
        run.es().runCommand(new Execution.AwaitDecision(waiting.ref()));
        var denied = run.es()
                .<StatusReply<ExecStatus>>runCommand(r -> new Execution.Decide(false, "bob", "not on a friday", r));
        Execution.ExecDenied fact = denied.eventOfType(Execution.ExecDenied.class);
        assertThat(fact.deniedBy()).isEqualTo("bob");
        assertThat(fact.reason()).isEqualTo("not on a friday");
        assertThat(waiting.expectMessageClass(Execution.Refused.class).code()).isEqualTo("denied");
        awaitFacts(
                run,
                Execution.ExecRequested.class,
                Execution.ExecPendingApproval.class,
                Execution.ExecDenied.class,
                Execution.ExecAudited.class);
    }

    @Test
    void cancellingAPendingRequestEndsItWithoutTouchingTheContext() {
        Run run = execution();
        submit(run, allowed(true));
        var cancelled = run.es().<StatusReply<ExecStatus>>runCommand(r -> new Execution.Cancel("alice", r));
        assertThat(cancelled.eventOfType(Execution.ExecCancelled.class).by()).isEqualTo("alice");
        assertThat(cancelled.reply().getValue().state()).isEqualTo(ExecStatus.State.CANCELLED);
        assertThat(contextMessages(Duration.ofMillis(300)))
                .noneMatch(m -> m instanceof HostContext.Cancel c && c.execId().equals(run.id()));

        var again = run.es().<StatusReply<ExecStatus>>runCommand(r -> new Execution.Cancel("alice", r));
        assertThat(again.reply().getError().getMessage()).contains("already ended (cancelled)");
    }

    @Test
    void cancellingARunningProcessKillsItThroughTheContextAndEndsCancelled() {
        Run run = execution();
        submit(run, allowed(false));
        run.es().runCommand(new Execution.ProcessStart("web1", 77, Instant.now()));
        var cancel = run.es().<StatusReply<ExecStatus>>runCommand(r -> new Execution.Cancel("bob", r));
        // Running: the state stays running until the kill's outcome arrives.
        assertThat(cancel.reply().getValue().state()).isEqualTo(ExecStatus.State.RUNNING);
        assertThat(cancel.reply().getValue().cancelledBy()).isEqualTo("bob");
        HostContext.Command kill = context.fishForMessage(
                        Duration.ofSeconds(3),
                        m -> m instanceof HostContext.Cancel c && c.execId().equals(run.id())
                                ? FishingOutcomes.complete()
                                : FishingOutcomes.continueAndIgnore())
                .getLast();
        assertThat(((HostContext.Cancel) kill).by()).isEqualTo("bob");

        run.es().runCommand(new Execution.RunFailed("cancelled", "the process was killed", Instant.now()));
        ExecStatus status = run.status();
        assertThat(status.state()).isEqualTo(ExecStatus.State.CANCELLED);
        assertThat(status.cancelled()).isTrue();
    }

    @Test
    void aTimedOutProcessIsRecordedAsTimedOutThenExited() {
        Run run = execution();
        submit(run, allowed(false));
        run.es().runCommand(new Execution.ProcessStart("web1", 5, Instant.now()));
        var exit = run.es().runCommand(new Execution.ProcessExit(137, 9, true, Duration.ofSeconds(30), Instant.now()));
        // The audit record may follow in the same batch: it is written by a message the entity sends itself.
        assertThat(exit.events().stream().<Class<?>>map(Object::getClass).toList())
                .startsWith(Execution.ExecTimedOut.class, Execution.ProcessExited.class);
        assertThat(exit.eventOfType(Execution.ExecTimedOut.class).timeout()).isEqualTo(Duration.ofSeconds(30));
        ExecStatus status = run.status();
        assertThat(status.timedOut()).isTrue();
        assertThat(status.state()).isEqualTo(ExecStatus.State.EXITED);
        assertThat(status.signal()).isEqualTo(9);
    }

    @Test
    void theProbeClosesARunningExecutionItsContextNoLongerKnows() {
        Run run = execution(settings(Duration.ofMillis(100), Duration.ofSeconds(30)));
        submit(run, allowed(false));
        run.es().runCommand(new Execution.ProcessStart("web1", 9, Instant.now()));
        context.fishForMessage(
                Duration.ofSeconds(3),
                m -> m instanceof HostContext.IsRunning ask && ask.execId().equals(run.id())
                        ? FishingOutcomes.complete()
                        : FishingOutcomes.continueAndIgnore());
        assertThat(run.status().state()).as("its context still runs it").isEqualTo(ExecStatus.State.RUNNING);

        RUN_STATES.put(run.id(), HostContext.RunState.UNKNOWN);
        kit.createTestProbe().awaitAssert(Duration.ofSeconds(5), () -> {
            assertThat(run.status().state()).isEqualTo(ExecStatus.State.FAILED);
            return null;
        });
        assertThat(run.status().reason()).contains("no longer knows the process");
        assertThat(run.facts())
                .anySatisfy(f -> assertThat(f)
                        .isInstanceOfSatisfying(
                                Execution.ExecFailed.class,
                                e -> assertThat(e.code()).isEqualTo("lost")));
    }

    @Test
    void theProbeLeavesAnAuthorizedExecutionAloneWithinTheStartGrace() throws Exception {
        Run run = execution(settings(Duration.ofMillis(50), Duration.ofSeconds(30)));
        RUN_STATES.put(run.id(), HostContext.RunState.UNKNOWN);
        submit(run, allowed(false));
        Thread.sleep(300);
        assertThat(run.status().state()).isEqualTo(ExecStatus.State.AUTHORIZED);

        Run late = execution(settings(Duration.ofMillis(50), Duration.ZERO));
        RUN_STATES.put(late.id(), HostContext.RunState.UNKNOWN);
        submit(late, allowed(false));
        kit.createTestProbe().awaitAssert(Duration.ofSeconds(5), () -> {
            assertThat(late.status().state()).isEqualTo(ExecStatus.State.FAILED);
            return null;
        });
        assertThat(late.status().reason()).contains("never started");
    }

    @Test
    void afterARestartTheStatusComesFromTheFacts() {
        Run run = execution();
        submit(run, allowed(false));
        run.es().runCommand(new Execution.ProcessStart("web1", 31, Instant.now()));
        run.es().runCommand(new Execution.ProcessExit(3, 0, false, Duration.ofMillis(40), Instant.now()));
        awaitFacts(
                run,
                Execution.ExecRequested.class,
                Execution.ExecAuthorized.class,
                Execution.ProcessStarted.class,
                Execution.ProcessExited.class,
                Execution.ExecAudited.class);
        ExecStatus before = run.status();

        run.es().restart();
        ExecStatus after = run.status();
        assertThat(after).isEqualTo(before);
        assertThat(after.exitCode()).isEqualTo(3);
        assertThat(after.pid()).isEqualTo(31);
        // The audit record was written once; recovery does not write it again.
        assertThat(factTypes(run))
                .filteredOn(Execution.ExecAudited.class::equals)
                .hasSize(1);
    }

    @Test
    void anUnknownExecutionAnswersAnErrorAndWritesNothing() {
        Run run = execution();
        var status = run.es().<StatusReply<ExecStatus>>runCommand(Execution.GetStatus::new);
        assertThat(status.reply().getError().getMessage()).isEqualTo("no execution " + run.id());
        assertThat(run.es()
                        .runCommand(new Execution.ProcessStart("web1", 1, Instant.now()))
                        .hasNoEvents())
                .isTrue();
        assertThat(run.facts()).isEmpty();
    }
}

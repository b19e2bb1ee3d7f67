package io.mycelium.task.alert;

import io.mycelium.task.TaskIndex;
import io.mycelium.task.TaskMeters;
import io.mycelium.task.Telemetry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Raises and clears alerts on this node: {@code queue_growth} (the task queue deeper than its threshold),
 * {@code failure_rate} (more failed attempts in the last minute than its threshold) and {@code stuck_tasks} (tasks
 * not at rest without a new fact for longer than {@code stuckAfter}). It evaluates every {@code interval}; a raised
 * or cleared alert is a telemetry event; the rules change at runtime.
 */
public final class Alerter {

    /** What the alerter answers. */
    public sealed interface Command {}

    /** The active alerts and the rules. */
    public record GetAlerts(ActorRef<Alerts> replyTo) implements Command {}

    /** Replaces the rules; replies with the alerts under them. */
    public record SetRules(AlertRules rules, ActorRef<Alerts> replyTo) implements Command {}

    /** One active alert. */
    public record Alert(String rule, Instant since, double value, double threshold, String message) {}

    /** The answer: the active alerts, the rules, and when they were last evaluated. */
    public record Alerts(List<Alert> active, AlertRules rules, Instant evaluatedAt) {}

    private record Evaluate() implements Command {}

    private record Stuck(int count, Instant at) implements Command {}

    private record Sample(Instant at, long failed) {}

    private final ActorContext<Command> context;
    private final TaskMeters metrics;
    private final ActorRef<TaskIndex.Command> index;
    private final ArrayDeque<Sample> failures = new ArrayDeque<>();
    private final Map<String, Alert> active = new LinkedHashMap<>();
    private AlertRules rules;
    private Instant evaluatedAt;

    private Alerter(
            ActorContext<Command> context, TaskMeters metrics, ActorRef<TaskIndex.Command> index, AlertRules rules) {
        this.context = context;
        this.metrics = metrics;
        this.index = index;
        this.rules = rules;
    }

    /** The alerter over the node's metrics and task index. */
    public static Behavior<Command> create(
            TaskMeters metrics, ActorRef<TaskIndex.Command> index, AlertRules rules, Duration interval) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            timers.startTimerWithFixedDelay(new Evaluate(), interval);
            return new Alerter(context, metrics, index, rules).behavior();
        }));
    }

    private Behavior<Command> behavior() {
        return Behaviors.receive(Command.class)
                .onMessage(GetAlerts.class, g -> {
                    g.replyTo().tell(alerts());
                    return Behaviors.same();
                })
                .onMessage(SetRules.class, s -> {
                    rules = s.rules();
                    context.getSelf().tell(new Evaluate());
                    s.replyTo().tell(alerts());
                    return Behaviors.same();
                })
                .onMessage(Evaluate.class, e -> {
                    evaluate();
                    return Behaviors.same();
                })
                .onMessage(Stuck.class, s -> {
                    boolean on = !rules.stuckAfter().isZero() && s.count() > 0;
                    set(
                            "stuck_tasks",
                            on,
                            s.count(),
                            0,
                            s.count() + " tasks had no new fact for over "
                                    + rules.stuckAfter().toSeconds() + " s");
                    return Behaviors.same();
                })
                .build();
    }

    private Alerts alerts() {
        return new Alerts(List.copyOf(new ArrayList<>(active.values())), rules, evaluatedAt);
    }

    private void evaluate() {
        Instant now = Instant.now();
        evaluatedAt = now;
        long depth = metrics.queueDepth();
        set(
                "queue_growth",
                rules.queueDepth() > 0 && depth > rules.queueDepth(),
                depth,
                rules.queueDepth(),
                depth + " tasks wait for an attempt (threshold " + rules.queueDepth() + ")");
        long failed = metrics.taskFacts("failed");
        failures.addLast(new Sample(now, failed));
        while (failures.size() > 1 && failures.peekFirst().at().isBefore(now.minusSeconds(60))) {
            failures.removeFirst();
        }
        long lastMinute = failed - failures.peekFirst().failed();
        set(
                "failure_rate",
                rules.failuresPerMinute() > 0 && lastMinute > rules.failuresPerMinute(),
                lastMinute,
                rules.failuresPerMinute(),
                lastMinute + " attempts failed in the last minute (threshold " + rules.failuresPerMinute() + ")");
        if (!rules.stuckAfter().isZero()) {
            context.pipeToSelf(
                    org.apache.pekko.actor.typed.javadsl.AskPattern.<TaskIndex.Command, Integer>ask(
                            index,
                            replyTo -> new TaskIndex.CountStuck(rules.stuckAfter(), replyTo),
                            Duration.ofSeconds(5),
                            context.getSystem().scheduler()),
                    (count, failure) -> new Stuck(count == null ? 0 : count, now));
        } else {
            set("stuck_tasks", false, 0, 0, "");
        }
    }

    private void set(String rule, boolean on, double value, double threshold, String message) {
        Alert current = active.get(rule);
        if (on && current == null) {
            Alert alert = new Alert(rule, Instant.now(), value, threshold, message);
            active.put(rule, alert);
            Telemetry.event(
                    "alert_raised",
                    Map.of("module", "alerts"),
                    Map.of("rule", rule, "value", value, "threshold", threshold, "message", message));
        } else if (on) {
            active.put(rule, new Alert(rule, current.since(), value, threshold, message));
        } else if (current != null) {
            active.remove(rule);
            Telemetry.event("alert_cleared", Map.of("module", "alerts"), Map.of("rule", rule, "value", value));
        }
    }
}
